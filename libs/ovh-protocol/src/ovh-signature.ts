import { createHash, timingSafeEqual } from 'node:crypto';

export interface OvhSignatureInput {
  appSecret: string;
  consumerKey: string;
  method: string;
  // The full absolute URL exactly as sent on the wire (scheme, host, branch, path, query).
  url: string;
  // The exact body bytes as sent; empty for GET/DELETE or a POST/PUT without payload.
  body?: string | Buffer | null;
  timestamp: number | string;
}

export const OVH_SIGNATURE_PREFIX = '$1$';

export function computeOvhSignature(input: OvhSignatureInput): string {
  const hash = createHash('sha1');
  const head = [input.appSecret, input.consumerKey, input.method, input.url].join('+') + '+';
  hash.update(head, 'utf8');
  if (input.body !== undefined && input.body !== null) {
    // A Buffer is hashed as-is so the signature covers the bytes on the wire, not a re-encoding.
    if (typeof input.body === 'string') hash.update(input.body, 'utf8');
    else hash.update(input.body);
  }
  hash.update('+' + String(input.timestamp), 'utf8');
  return OVH_SIGNATURE_PREFIX + hash.digest('hex');
}

export function verifyOvhSignature(input: OvhSignatureInput & { signature: string }): boolean {
  const expected = Buffer.from(computeOvhSignature(input), 'utf8');
  const given = Buffer.from(input.signature, 'utf8');
  if (given.length !== expected.length) return false;
  return timingSafeEqual(expected, given);
}
