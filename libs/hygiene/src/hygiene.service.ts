import { Injectable } from '@nestjs/common';
import { Clock, DomainException } from '@app/common';
import { AuditService, type AuditContext } from '@app/audit';
import { AccountsService, type AccountView, type AccountViewer } from '@app/accounts';
import { ConsumerKeysService, type ConsumerKeyView } from '@app/consumer-keys';
import {
  csvCell,
  DEFAULT_HYGIENE_OPTIONS,
  evaluateKeys,
  type Finding,
  type FindingKind,
  type HygieneOptions,
  type KeyFacts,
  type Severity,
} from './hygiene-rules';

export type HygieneQuery = Partial<Omit<HygieneOptions, 'now'>>;

// The admin-API call that fixes a finding (one click from the dashboard).
export interface SuggestedFix {
  method: 'POST' | 'GET';
  path: string;
  description: string;
  body?: Record<string, unknown>;
}

export interface HygieneFinding extends Finding {
  accountName: string | null;
  keyLabel: string | null;
  origin: string | null;
  fix: SuggestedFix | null;
}

export interface HygieneReport {
  generatedAt: Date;
  scope: 'all' | 'account';
  accountId: string | null;
  options: Omit<HygieneOptions, 'now'>;
  accounts: number;
  keys: number;
  summary: {
    total: number;
    bySeverity: Record<Severity, number>;
    byKind: Partial<Record<FindingKind, number>>;
  };
  findings: HygieneFinding[];
}

const LIMITS = {
  unusedDays: [1, 3650],
  expiringSoonDays: [0, 365],
  manyKeysThreshold: [2, 10000],
} as const;

// Credential hygiene over the keys the broker holds (requested and imported), limited to
// the accounts the viewer may see. Rules: hygiene-rules.ts (pure).
@Injectable()
export class HygieneService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly consumerKeys: ConsumerKeysService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async reportAll(viewer: AccountViewer, query: HygieneQuery = {}): Promise<HygieneReport> {
    return this.build(await this.accounts.list(viewer), null, query);
  }

  async reportAccount(
    viewer: AccountViewer,
    accountId: string,
    query: HygieneQuery = {},
  ): Promise<HygieneReport> {
    return this.build([await this.accounts.getVisible(viewer, accountId)], accountId, query);
  }

  // CSV of a report; the export is recorded in the audit trail (it lists credential metadata).
  async exportCsv(report: HygieneReport, ctx: AuditContext): Promise<string> {
    await this.audit.record({
      ...ctx,
      action: 'hygiene.exported',
      objectType: report.accountId ? 'account' : 'hygiene',
      objectId: report.accountId ?? undefined,
      accountId: report.accountId ?? undefined,
      result: 'success',
      metadata: { scope: report.scope, findings: report.summary.total, ...report.options },
    });
    return reportToCsv(report.findings);
  }

  private async build(
    accounts: AccountView[],
    accountId: string | null,
    query: HygieneQuery,
  ): Promise<HygieneReport> {
    const options = checkOptions(query);
    const now = this.clock.now();
    const names = new Map(accounts.map((a) => [a.id, a.displayName]));
    const keys = await this.consumerKeys.listForAccounts(
      accounts.map((a) => a.id),
      ['validated'],
    );
    const byId = new Map(keys.map((k) => [k.id, k]));
    const findings = evaluateKeys(
      keys.map((k) => toFacts(k, names.get(k.accountId))),
      { ...options, now },
    ).map((f): HygieneFinding => {
      const key = f.keyId ? byId.get(f.keyId) : undefined;
      return {
        ...f,
        accountName: f.accountId ? (names.get(f.accountId) ?? null) : null,
        keyLabel: key?.label ?? null,
        origin: key?.origin ?? null,
        fix: suggestedFix(f, key),
      };
    });
    const bySeverity: Record<Severity, number> = { high: 0, medium: 0, low: 0 };
    const byKind: Partial<Record<FindingKind, number>> = {};
    for (const f of findings) {
      bySeverity[f.severity] += 1;
      byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
    }
    return {
      generatedAt: now,
      scope: accountId ? 'account' : 'all',
      accountId,
      options,
      accounts: accounts.length,
      keys: keys.length,
      summary: { total: findings.length, bySeverity, byKind },
      findings,
    };
  }
}

function toFacts(k: ConsumerKeyView, accountName: string | undefined): KeyFacts {
  return {
    keyId: k.id,
    accountId: k.accountId,
    accountName,
    applicationId: k.applicationId,
    credentialId: k.credentialId,
    state: k.state,
    rules: k.upstreamRules ?? k.accessRules,
    expiresAt: k.expiresAt,
    lastUsedAt: k.lastUseAt,
    allowedIPs: k.allowedIPs,
    createdAt: k.createdAt,
  };
}

function checkOptions(query: HygieneQuery): Omit<HygieneOptions, 'now'> {
  const out = { ...DEFAULT_HYGIENE_OPTIONS };
  for (const name of Object.keys(LIMITS) as (keyof typeof LIMITS)[]) {
    const value = query[name];
    if (value === undefined) continue;
    const [min, max] = LIMITS[name];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new DomainException({
        code: 'HYGIENE_OPTION_INVALID',
        kind: 'invalid',
        message: `${name} must be a whole number from ${min} to ${max}`,
        details: { fields: [{ field: name, problems: [`must be an integer from ${min} to ${max}`] }] },
      });
    }
    out[name] = value;
  }
  return out;
}

// Routes are the admin API's (under /api/v1); the body is a starting point to edit.
export function suggestedFix(f: Finding, key?: ConsumerKeyView): SuggestedFix | null {
  if (!f.keyId || !f.accountId) return null;
  const base = `/api/v1/accounts/${f.accountId}/consumer-keys/${f.keyId}`;
  switch (f.suggestedAction) {
    case 'replace_with_narrower_key':
      return {
        method: 'POST',
        path: `${base}/replace`,
        description:
          'Request a successor with narrower rules (the customer validates it; this key is then revoked automatically), and give people grants through the relay instead of the key',
        body: { accessRules: [{ method: 'GET', path: '/me' }], validitySeconds: 7_776_000 },
      };
    case 'set_expiry':
      return {
        method: 'POST',
        path: `${base}/replace`,
        description:
          'OVHcloud cannot add an expiry to an existing key: request a successor with a validity policy (the broker expires it upstream when due)',
        body: { accessRules: key?.upstreamRules ?? key?.accessRules ?? [], validitySeconds: 7_776_000 },
      };
    case 'restrict_ips':
      return {
        method: 'POST',
        path: `${base}/replace`,
        description: "Request a successor restricted to the relay's egress addresses",
        body: {
          accessRules: key?.upstreamRules ?? key?.accessRules ?? [],
          allowedIPs: ['<relay egress IP>'],
        },
      };
    case 'renew':
      return {
        method: 'POST',
        path: `${base}/renew`,
        description: 'Request a successor with the same rules',
      };
    case 'revoke':
      return {
        method: 'POST',
        path: `${base}/revoke`,
        description: 'Revoke the key (POST /auth/logout upstream)',
      };
    default:
      return null;
  }
}

const CSV_COLUMNS = [
  'severity',
  'kind',
  'accountId',
  'accountName',
  'keyId',
  'keyLabel',
  'origin',
  'applicationId',
  'message',
  'suggestedAction',
  'fix',
] as const;

export function reportToCsv(findings: HygieneFinding[]): string {
  const lines: string[] = [CSV_COLUMNS.join(',')];
  for (const f of findings) {
    lines.push(
      CSV_COLUMNS.map((c) =>
        csvCell(c === 'fix' ? (f.fix ? `${f.fix.method} ${f.fix.path}` : '') : f[c]),
      ).join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
