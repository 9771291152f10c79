import { evaluateKey, evaluateKeys, findingsToCsv, KeyFacts, isCatchAllRule } from './hygiene-rules';

const now = new Date('2026-06-01T00:00:00Z');
const opts = { now, unusedDays: 30, expiringSoonDays: 14, manyKeysThreshold: 3 };
const days = (n: number) => new Date(now.getTime() + n * 86_400_000);

function key(over: Partial<KeyFacts> = {}): KeyFacts {
  return {
    keyId: 'k1',
    accountId: 'a1',
    applicationId: 'app1',
    state: 'validated',
    rules: [{ method: 'GET', path: '/domain/zone/example.com/*' }],
    expiresAt: days(90),
    lastUsedAt: days(-1),
    allowedIPs: ['203.0.113.7/32'],
    createdAt: days(-100),
    ...over,
  };
}

const kinds = (k: KeyFacts) => evaluateKey(k, opts).map((f) => f.kind);

describe('hygiene rules', () => {
  it('finds nothing wrong with a narrow, expiring, used, IP-pinned key', () => {
    expect(kinds(key())).toEqual([]);
  });

  it('flags a key that grants everything, with the method named and a narrower successor suggested', () => {
    const [f] = evaluateKey(key({ rules: [{ method: 'DELETE', path: '/*' }] }), opts);
    expect(f).toMatchObject({
      kind: 'grants_everything',
      severity: 'high',
      suggestedAction: 'replace_with_narrower_key',
    });
    expect(f.message).toContain('DELETE');
  });

  it.each([
    [{ expiresAt: null }, 'no_expiry', 'set_expiry'],
    [{ lastUsedAt: null }, 'never_used', 'revoke'],
    [{ lastUsedAt: days(-45) }, 'unused', 'revoke'],
    [{ allowedIPs: null }, 'no_ip_restriction', 'restrict_ips'],
    [{ allowedIPs: [] }, 'no_ip_restriction', 'restrict_ips'],
    [{ expiresAt: days(2) }, 'expiring_soon', 'renew'],
  ] as const)('flags %o as %s', (over, kind, action) => {
    const findings = evaluateKey(key(over as Partial<KeyFacts>), opts);
    expect(findings).toEqual([expect.objectContaining({ kind, suggestedAction: action })]);
  });

  it('does not report on keys that are no longer live', () => {
    expect(kinds(key({ state: 'revoked', rules: [{ method: 'GET', path: '/*' }], expiresAt: null }))).toEqual(
      [],
    );
  });

  it('flags an application shared by many live keys, and sorts high severity first', () => {
    const keys = [
      key({ keyId: 'a' }),
      key({ keyId: 'b' }),
      key({ keyId: 'c', rules: [{ method: 'GET', path: '/*' }] }),
    ];
    const findings = evaluateKeys(keys, opts);
    expect(findings[0].kind).toBe('grants_everything');
    expect(findings.map((f) => f.kind)).toContain('application_many_keys');
  });

  it('recognises catch-all rule paths only', () => {
    expect(['/*', '/**'].every((p) => isCatchAllRule({ method: 'GET', path: p }))).toBe(true);
    expect(['/', '/me', '/domain/*'].some((p) => isCatchAllRule({ method: 'GET', path: p }))).toBe(false);
  });

  it('writes CSV that quotes separators and defuses spreadsheet formulas', () => {
    const csv = findingsToCsv([
      {
        kind: 'unused',
        severity: 'low',
        keyId: '=cmd()',
        accountId: 'a,b',
        applicationId: 'x',
        message: 'say "hi"',
        suggestedAction: 'revoke',
      },
    ]);
    const [header, row] = csv.trim().split('\r\n');
    expect(header).toBe('severity,kind,accountId,keyId,applicationId,message,suggestedAction');
    expect(row).toBe(`low,unused,"a,b",'=cmd(),x,"say ""hi""",revoke`);
  });
});
