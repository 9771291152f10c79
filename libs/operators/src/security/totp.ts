import type { Base32Plugin, CryptoPlugin, HashAlgorithm } from '@otplib/core';
import { generate, verify } from '@otplib/totp';
import { generateTOTP } from '@otplib/uri';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// otplib v13's engine (@otplib/totp, RFC 6238) with node:crypto for the HMAC and
// an RFC 4648 base32 codec: the default plugins (@noble/hashes, @scure/base) are
// ESM-only, which the CommonJS build and jest cannot load.
const nodeCrypto: CryptoPlugin = {
  name: 'node-crypto',
  algorithms: ['sha1', 'sha256', 'sha512'],
  hmac: (algorithm: HashAlgorithm, key: Uint8Array, data: Uint8Array) =>
    new Uint8Array(createHmac(algorithm, key).update(data).digest()),
  randomBytes: (length: number) => new Uint8Array(randomBytes(length)),
  constantTimeEqual: (a: string | Uint8Array, b: string | Uint8Array) => {
    const x = typeof a === 'string' ? Buffer.from(a) : Buffer.from(a);
    const y = typeof b === 'string' ? Buffer.from(b) : Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  },
};

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

const base32: Base32Plugin = {
  name: 'rfc4648',
  encode(data: Uint8Array): string {
    let bits = 0;
    let value = 0;
    let out = '';
    for (const byte of data) {
      value = (value << 8) | byte;
      bits += 8;
      while (bits >= 5) {
        out += ALPHABET[(value >>> (bits - 5)) & 31];
        bits -= 5;
      }
    }
    if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
    return out;
  },
  decode(str: string): Uint8Array {
    const clean = str.toUpperCase().replace(/=+$/, '').replace(/\s/g, '');
    const out: number[] = [];
    let bits = 0;
    let value = 0;
    for (const ch of clean) {
      const idx = ALPHABET.indexOf(ch);
      if (idx < 0) throw new Error('invalid base32');
      value = (value << 5) | idx;
      bits += 5;
      if (bits >= 8) {
        out.push((value >>> (bits - 8)) & 255);
        bits -= 8;
      }
    }
    return new Uint8Array(out);
  },
};

export const TOTP_PERIOD = 30;

export function newTotpSecret(): string {
  return base32.encode(randomBytes(20));
}

export function totpUri(issuer: string, label: string, secret: string): string {
  return generateTOTP({ issuer, label, secret, period: TOTP_PERIOD });
}

export function totpGenerate(secret: string, epochSeconds: number): Promise<string> {
  return generate({ secret, epoch: epochSeconds, period: TOTP_PERIOD, crypto: nodeCrypto, base32 });
}

// The matched time step, or null. `toleranceSeconds` = 30 accepts exactly ±1 step.
export async function totpVerify(
  secret: string,
  token: string,
  epochSeconds: number,
  toleranceSeconds: number,
  afterTimeStep?: number,
): Promise<number | null> {
  const res = await verify({
    secret,
    token,
    epoch: epochSeconds,
    period: TOTP_PERIOD,
    epochTolerance: toleranceSeconds,
    crypto: nodeCrypto,
    base32,
    ...(afterTimeStep === undefined ? {} : { afterTimeStep }),
  });
  return res.valid ? res.timeStep : null;
}
