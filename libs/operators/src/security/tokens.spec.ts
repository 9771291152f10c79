import { createHash } from 'node:crypto';
import {
  generatePassword,
  generateRecoveryCode,
  generateToken,
  hashToken,
  normaliseRecoveryCode,
  TOKEN_PREFIX,
} from './tokens';

describe('tokens', () => {
  it('makes prefixed 32-byte base64url tokens, all different', () => {
    const seen = new Set<string>();
    for (const prefix of Object.values(TOKEN_PREFIX)) {
      const token = generateToken(prefix);
      expect(token).toMatch(new RegExp(`^${prefix}[A-Za-z0-9_-]{43}$`));
      expect(Buffer.from(token.slice(prefix.length), 'base64url')).toHaveLength(32);
      seen.add(token);
    }
    expect(seen.size).toBe(Object.keys(TOKEN_PREFIX).length);
    expect(new Set(Object.values(TOKEN_PREFIX)).size).toBe(Object.keys(TOKEN_PREFIX).length);
  });

  it('stores the SHA-256 hex of the whole token, prefix included', () => {
    const token = 'oba_abc';
    expect(hashToken(token)).toBe(createHash('sha256').update('oba_abc').digest('hex'));
    expect(hashToken(token)).not.toBe(hashToken('obt_abc'));
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('makes 80-bit recovery codes in four groups, read case- and dash-insensitively', () => {
    const code = generateRecoveryCode();
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}$/);
    expect(normaliseRecoveryCode(code.toLowerCase().replace(/-/g, ' '))).toBe(code.replace(/-/g, ''));
    const many = new Set(Array.from({ length: 200 }, generateRecoveryCode));
    expect(many.size).toBe(200);
  });

  it('generates passwords long enough for the policy', () => {
    expect(generatePassword().length).toBeGreaterThanOrEqual(24);
  });
});
