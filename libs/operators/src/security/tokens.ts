import { createHash, randomBytes, randomInt } from 'node:crypto';

// Opaque random tokens with a recognisable prefix (so secret scanners and people
// can tell them apart); only their SHA-256 is stored.
export const TOKEN_PREFIX = {
  access: 'oba_',
  refresh: 'obr_',
  apiToken: 'obt_',
  mfa: 'obm_',
  setup: 'obs_',
} as const;

export function generateToken(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const RECOVERY_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

// 16 symbols from a 32-letter alphabet: 80 bits, enough for a plain SHA-256.
export function generateRecoveryCode(): string {
  let s = '';
  for (let i = 0; i < 16; i++) s += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
  return s.match(/.{4}/g)!.join('-');
}

export function normaliseRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
