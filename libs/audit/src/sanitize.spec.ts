import { isSensitiveKey, REDACTED, sanitizeMetadata, sanitizeText } from './sanitize';

describe('sanitizeMetadata', () => {
  it('redacts secret-named keys at any depth, but keeps ids, prefixes and counts', () => {
    const out = sanitizeMetadata({
      password: 'p',
      nested: { refreshToken: 'r', list: [{ totpSecret: 's', consumerKey: 'ck' }] },
      tokenId: 'tid',
      tokenPrefix: 'obt_abc',
      recoveryCodesCount: 3,
      apiKeyName: 'ci',
    });
    expect(out).toEqual({
      password: REDACTED,
      nested: { refreshToken: REDACTED, list: [{ totpSecret: REDACTED, consumerKey: REDACTED }] },
      tokenId: 'tid',
      tokenPrefix: 'obt_abc',
      recoveryCodesCount: 3,
      apiKeyName: 'ci',
    });
    expect(isSensitiveKey('authorization')).toBe(true);
    expect(isSensitiveKey('expiresAt')).toBe(false);
  });

  it('removes token-shaped text from values', () => {
    const out = sanitizeMetadata({ note: 'used oba_abcdefghijklmnop and obr_ZZZZZZZZZZZZ today' });
    expect(out.note).toBe(`used ${REDACTED} and ${REDACTED} today`);
    expect(sanitizeText('Bearer obt_abcdefghijkl')).toBe(`Bearer ${REDACTED}`);
  });

  it('bounds depth, size and odd types', () => {
    let deep: Record<string, unknown> = { v: 1 };
    for (let i = 0; i < 10; i++) deep = { d: deep };
    expect(JSON.stringify(sanitizeMetadata(deep))).toContain('[truncated]');
    const long = sanitizeMetadata({ s: 'x'.repeat(5000) });
    expect((long.s as string).length).toBeLessThanOrEqual(1025);
    const many = sanitizeMetadata(Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`k${i}`, i])));
    expect(Object.keys(many)).toHaveLength(50);
    expect(
      sanitizeMetadata({ n: Number.NaN, b: BigInt(5), d: new Date(0), u: undefined, f: () => 1 }),
    ).toEqual({ n: 'NaN', b: '5', d: '1970-01-01T00:00:00.000Z', u: null, f: expect.any(String) });
    expect(sanitizeMetadata(undefined)).toEqual({});
  });
});
