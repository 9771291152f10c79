import type { AccessRule } from '@app/ovh-protocol';

// What the report needs to know about one consumer key; taken from the
// broker's records (requested or imported keys) or from upstream discovery.
export interface KeyFacts {
  keyId: string;
  accountId: string;
  accountName?: string;
  applicationId: string;
  applicationKey?: string;
  credentialId?: number | null;
  state: string;
  rules: AccessRule[];
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  allowedIPs: string[] | null;
  createdAt: Date;
}

export type FindingKind =
  | 'grants_everything'
  | 'no_expiry'
  | 'never_used'
  | 'unused'
  | 'no_ip_restriction'
  | 'expiring_soon'
  | 'application_many_keys';

export type Severity = 'high' | 'medium' | 'low';
export type SuggestedAction =
  'replace_with_narrower_key' | 'set_expiry' | 'restrict_ips' | 'revoke' | 'renew' | 'consolidate';

export interface Finding {
  kind: FindingKind;
  severity: Severity;
  keyId: string | null;
  accountId: string | null;
  applicationId: string;
  message: string;
  suggestedAction: SuggestedAction;
}

export interface HygieneOptions {
  now: Date;
  unusedDays: number;
  expiringSoonDays: number;
  manyKeysThreshold: number;
}

export const DEFAULT_HYGIENE_OPTIONS: Omit<HygieneOptions, 'now'> = {
  unusedDays: 30,
  expiringSoonDays: 14,
  manyKeysThreshold: 10,
};

const DAY_MS = 86_400_000;
const LIVE_STATES = new Set(['validated']);

// A rule whose path is only wildcards lets its method reach every route.
export function isCatchAllRule(rule: AccessRule): boolean {
  return /^\/\**$/.test(rule.path) && rule.path.includes('*');
}

export function evaluateKey(key: KeyFacts, o: HygieneOptions): Finding[] {
  if (!LIVE_STATES.has(key.state)) return [];
  const findings: Finding[] = [];
  const base = { keyId: key.keyId, accountId: key.accountId, applicationId: key.applicationId };
  const everything = key.rules.filter(isCatchAllRule).map((r) => r.method);
  if (everything.length > 0) {
    findings.push({
      ...base,
      kind: 'grants_everything',
      severity: 'high',
      message: `Grants every route for ${everything.join(', ')} (rule path "/*")`,
      suggestedAction: 'replace_with_narrower_key',
    });
  }
  if (key.expiresAt === null) {
    findings.push({
      ...base,
      kind: 'no_expiry',
      severity: everything.length > 0 ? 'high' : 'medium',
      message: 'Never expires',
      suggestedAction: 'set_expiry',
    });
  } else {
    const daysLeft = (key.expiresAt.getTime() - o.now.getTime()) / DAY_MS;
    if (daysLeft <= o.expiringSoonDays) {
      findings.push({
        ...base,
        kind: 'expiring_soon',
        severity: daysLeft <= 3 ? 'medium' : 'low',
        message: `Expires in ${Math.max(0, Math.ceil(daysLeft))} day(s) (${key.expiresAt.toISOString()})`,
        suggestedAction: 'renew',
      });
    }
  }
  if (key.lastUsedAt === null) {
    findings.push({
      ...base,
      kind: 'never_used',
      severity: 'medium',
      message: 'Has never been used',
      suggestedAction: 'revoke',
    });
  } else {
    const idleDays = Math.floor((o.now.getTime() - key.lastUsedAt.getTime()) / DAY_MS);
    if (idleDays >= o.unusedDays) {
      findings.push({
        ...base,
        kind: 'unused',
        severity: 'medium',
        message: `Unused for ${idleDays} days`,
        suggestedAction: 'revoke',
      });
    }
  }
  if (!key.allowedIPs || key.allowedIPs.length === 0) {
    findings.push({
      ...base,
      kind: 'no_ip_restriction',
      severity: everything.length > 0 ? 'high' : 'low',
      message: 'Usable from any IP address',
      suggestedAction: 'restrict_ips',
    });
  }
  return findings;
}

export function evaluateKeys(keys: KeyFacts[], o: HygieneOptions): Finding[] {
  const findings = keys.flatMap((k) => evaluateKey(k, o));
  const perApplication = new Map<string, number>();
  for (const k of keys) {
    if (LIVE_STATES.has(k.state))
      perApplication.set(k.applicationId, (perApplication.get(k.applicationId) ?? 0) + 1);
  }
  for (const [applicationId, count] of perApplication) {
    if (count >= o.manyKeysThreshold) {
      findings.push({
        kind: 'application_many_keys',
        severity: 'low',
        keyId: null,
        accountId: null,
        applicationId,
        message: `${count} live keys share this application`,
        suggestedAction: 'consolidate',
      });
    }
  }
  const rank: Record<Severity, number> = { high: 0, medium: 1, low: 2 };
  return findings.sort((a, b) => rank[a.severity] - rank[b.severity]);
}

const CSV_COLUMNS: (keyof Finding)[] = [
  'severity',
  'kind',
  'accountId',
  'keyId',
  'applicationId',
  'message',
  'suggestedAction',
];

// RFC 4180 quoting, and a leading quote on cells a spreadsheet would run as a formula.
export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function findingsToCsv(findings: Finding[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const f of findings) lines.push(CSV_COLUMNS.map((c) => csvCell(f[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
