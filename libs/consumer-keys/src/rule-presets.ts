import { type AccessRule, type HttpMethod, HTTP_METHODS, recursiveRules } from '@app/ovh-protocol';

export interface RulePresetParameter {
  name: string;
  description: string;
  pattern: string;
}

export interface RulePreset {
  id: string;
  label: string;
  description: string;
  parameters: RulePresetParameter[];
  build(params: Record<string, string>): AccessRule[];
}

const ZONE_PATTERN =
  '^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$';
const zoneParam: RulePresetParameter = {
  name: 'zone',
  description: 'DNS zone name, e.g. example.com',
  pattern: ZONE_PATTERN,
};
const READ: HttpMethod[] = ['GET'];

// Presets expand to concrete rules with the root-and-subtree helper (X and X/*),
// the pair that is commonly forgotten (ovh-api.md §7.10).
export const RULE_PRESETS: readonly RulePreset[] = [
  {
    id: 'dns-zone-read-only',
    label: 'Read-only on one DNS zone',
    description: 'GET on /domain/zone/{zone} and everything below it.',
    parameters: [zoneParam],
    build: (p) => recursiveRules(READ, `/domain/zone/${p.zone}`),
  },
  {
    id: 'dns-zone-manager',
    label: 'Manage one DNS zone',
    description: 'GET, POST, PUT and DELETE on /domain/zone/{zone} and everything below it.',
    parameters: [zoneParam],
    build: (p) => recursiveRules(HTTP_METHODS, `/domain/zone/${p.zone}`),
  },
  {
    id: 'dns-manager',
    label: 'DNS manager (every zone)',
    description: 'List domains, and GET, POST, PUT and DELETE on every DNS zone.',
    parameters: [],
    build: () => [...recursiveRules(READ, '/domain'), ...recursiveRules(HTTP_METHODS, '/domain/zone')],
  },
  {
    id: 'billing-read-only',
    label: 'Billing read-only',
    description: 'GET on the account, its bills, orders, payment means and debt account.',
    parameters: [],
    build: () => [
      { method: 'GET', path: '/me' },
      ...recursiveRules(READ, '/me/bill'),
      ...recursiveRules(READ, '/me/order'),
      ...recursiveRules(READ, '/me/payment'),
      ...recursiveRules(READ, '/me/debtAccount'),
    ],
  },
  {
    id: 'account-identity',
    label: 'Account identity',
    description: 'GET /me only, so the broker can show who the customer is.',
    parameters: [],
    build: () => [{ method: 'GET', path: '/me' }],
  },
];

export interface PresetSelection {
  id: string;
  params?: Record<string, string>;
}

export interface RecursiveSelection {
  methods: HttpMethod[];
  path: string;
}

export interface RuleBuildProblem {
  field: string;
  problem: string;
}

export function describePresets() {
  return RULE_PRESETS.map((p) => ({
    id: p.id,
    label: p.label,
    description: p.description,
    parameters: p.parameters,
    example: p.build(Object.fromEntries(p.parameters.map((param) => [param.name, 'example.com']))),
  }));
}

// Expands presets and recursive selections; the result still goes through validateAccessRules.
export function expandRuleSelections(
  presets: readonly PresetSelection[],
  recursive: readonly RecursiveSelection[],
): { rules: AccessRule[]; problems: RuleBuildProblem[] } {
  const rules: AccessRule[] = [];
  const problems: RuleBuildProblem[] = [];
  presets.forEach((selection, i) => {
    const preset = RULE_PRESETS.find((p) => p.id === selection.id);
    if (!preset) {
      problems.push({ field: `presets[${i}].id`, problem: `unknown preset "${selection.id}"` });
      return;
    }
    const params = selection.params ?? {};
    const extra = Object.keys(params).filter((k) => !preset.parameters.some((p) => p.name === k));
    if (extra.length > 0)
      problems.push({ field: `presets[${i}].params`, problem: `unknown parameter(s) ${extra.join(', ')}` });
    for (const param of preset.parameters) {
      const value = params[param.name];
      if (typeof value !== 'string' || !new RegExp(param.pattern, 'i').test(value)) {
        problems.push({ field: `presets[${i}].params.${param.name}`, problem: param.description });
      }
    }
    if (problems.length === 0) rules.push(...preset.build(params));
  });
  recursive.forEach((selection, i) => {
    if (!/^\/[^*?#\s]*(\/\*)?$/.test(selection.path)) {
      problems.push({
        field: `recursive[${i}].path`,
        problem: 'must be a path starting with "/", with "*" only as a final "/*"',
      });
      return;
    }
    rules.push(...recursiveRules(selection.methods, selection.path));
  });
  return { rules, problems };
}

export function dedupeRules(rules: readonly AccessRule[]): AccessRule[] {
  const seen = new Set<string>();
  const out: AccessRule[] = [];
  for (const r of rules) {
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ method: r.method, path: r.path });
  }
  return out;
}
