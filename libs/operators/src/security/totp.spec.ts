import { newTotpSecret, TOTP_PERIOD, totpGenerate, totpUri, totpVerify } from './totp';

// RFC 6238 appendix B, SHA-1: secret "12345678901234567890" (base32 below), 8 digits there;
// the last 6 digits are the 6-digit code.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('TOTP', () => {
  it('matches the RFC 6238 vectors (last 6 digits)', async () => {
    const vectors: Array<[number, string]> = [
      [59, '287082'],
      [1111111109, '081804'],
      [1111111111, '050471'],
      [1234567890, '005924'],
      [2000000000, '279037'],
    ];
    for (const [t, code] of vectors) expect(await totpGenerate(RFC_SECRET, t)).toBe(code);
  });

  it('accepts the current step and ±1 step, never ±2', async () => {
    const now = 1_700_000_000;
    const step = Math.floor(now / TOTP_PERIOD);
    for (const delta of [-1, 0, 1]) {
      const code = await totpGenerate(RFC_SECRET, now + delta * TOTP_PERIOD);
      expect(await totpVerify(RFC_SECRET, code, now, TOTP_PERIOD)).toBe(step + delta);
    }
    for (const delta of [-2, 2]) {
      const code = await totpGenerate(RFC_SECRET, now + delta * TOTP_PERIOD);
      expect(await totpVerify(RFC_SECRET, code, now, TOTP_PERIOD)).toBeNull();
    }
  });

  it('refuses a step at or before the last accepted one (no replay)', async () => {
    const now = 1_700_000_000;
    const step = Math.floor(now / TOTP_PERIOD);
    const code = await totpGenerate(RFC_SECRET, now);
    expect(await totpVerify(RFC_SECRET, code, now, TOTP_PERIOD, step)).toBeNull();
    const previous = await totpGenerate(RFC_SECRET, now - TOTP_PERIOD);
    expect(await totpVerify(RFC_SECRET, previous, now, TOTP_PERIOD, step)).toBeNull();
    expect(await totpVerify(RFC_SECRET, code, now, TOTP_PERIOD, step - 1)).toBe(step);
  });

  it('makes 160-bit base32 secrets and an otpauth URI', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = totpUri('OVHcloud broker', 'alice@agency.example', secret);
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    expect(uri).toContain(`secret=${secret}`);
    expect(uri).toContain('issuer=OVHcloud');
  });
});
