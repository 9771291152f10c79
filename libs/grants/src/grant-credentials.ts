import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

// OVHcloud-shaped credentials minted by the broker for one grant. They look like real keys
// (AK 16, AS 32, CK 32 alphanumerics) so SDKs that validate lengths accept them, but they
// are unrelated to the customer's real keys and only the relay understands them.
export interface MintedGrantCredentials {
  applicationKey: string;
  applicationSecret: string;
  consumerKey: string;
  bearerToken: string;
}

export const BEARER_TOKEN_PREFIX = 'obg_';
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BEARER_BODY_LENGTH = 43;

// Rejection sampling keeps every character uniformly distributed (no modulo bias).
export function randomAlphanumeric(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte >= 248) continue; // 248 = 62 * 4
      out += ALPHANUMERIC[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

export function mintGrantCredentials(): MintedGrantCredentials {
  return {
    applicationKey: randomAlphanumeric(16),
    applicationSecret: randomAlphanumeric(32),
    consumerKey: randomAlphanumeric(32),
    bearerToken: BEARER_TOKEN_PREFIX + randomAlphanumeric(BEARER_BODY_LENGTH),
  };
}

export function sha256Hex(value: string): string {
  return hash('sha256', value, 'hex');
}

export function hashesEqual(aHex: string, bHex: string): boolean {
  const a = Buffer.from(aHex, 'hex');
  const b = Buffer.from(bHex, 'hex');
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

// Cheap shape checks so malformed input never reaches a cache or the database.
export function looksLikeBearerToken(token: string): boolean {
  return (
    token.length === BEARER_TOKEN_PREFIX.length + BEARER_BODY_LENGTH &&
    token.startsWith(BEARER_TOKEN_PREFIX) &&
    /^[A-Za-z0-9]+$/.test(token.slice(BEARER_TOKEN_PREFIX.length))
  );
}

export function looksLikeApplicationKey(key: string): boolean {
  return /^[A-Za-z0-9]{16}$/.test(key);
}

export function looksLikeConsumerKey(key: string): boolean {
  return /^[A-Za-z0-9]{32}$/.test(key);
}

export function tokenHint(token: string): string {
  return `${token.slice(0, BEARER_TOKEN_PREFIX.length + 4)}…`;
}
