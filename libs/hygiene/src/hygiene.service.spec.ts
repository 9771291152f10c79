import type { Finding } from './hygiene-rules';
import { type HygieneFinding, reportToCsv, suggestedFix } from './hygiene.service';

const finding = (over: Partial<Finding> = {}): Finding => ({
  kind: 'grants_everything',
  severity: 'high',
  keyId: 'k1',
  accountId: 'a1',
  applicationId: 'app1',
  message: 'Grants every route for GET (rule path "/*")',
  suggestedAction: 'replace_with_narrower_key',
  ...over,
});

describe(suggestedFix.name, () => {
  it.each([
    ['replace_with_narrower_key', 'POST', '/api/v1/accounts/a1/consumer-keys/k1/replace'],
    ['set_expiry', 'POST', '/api/v1/accounts/a1/consumer-keys/k1/replace'],
    ['restrict_ips', 'POST', '/api/v1/accounts/a1/consumer-keys/k1/replace'],
    ['renew', 'POST', '/api/v1/accounts/a1/consumer-keys/k1/renew'],
    ['revoke', 'POST', '/api/v1/accounts/a1/consumer-keys/k1/revoke'],
  ] as const)('points %s at %s %s', (action, method, path) => {
    expect(suggestedFix(finding({ suggestedAction: action }))).toMatchObject({ method, path });
  });

  it('has no one-click fix for an application-wide finding', () => {
    expect(
      suggestedFix(
        finding({
          kind: 'application_many_keys',
          keyId: null,
          accountId: null,
          suggestedAction: 'consolidate',
        }),
      ),
    ).toBeNull();
  });
});

describe(reportToCsv.name, () => {
  it('writes one line per finding with the fix route, quoting separators', () => {
    const f: HygieneFinding = {
      ...finding(),
      accountName: 'Acme, Inc.',
      keyLabel: '=HYPERLINK("x")',
      origin: 'imported',
      fix: suggestedFix(finding()),
    };
    const lines = reportToCsv([f]).trimEnd().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('"Acme, Inc."');
    expect(lines[1]).toContain(`"'=HYPERLINK(""x"")"`);
    expect(lines[1].endsWith('POST /api/v1/accounts/a1/consumer-keys/k1/replace')).toBe(true);
  });
});
