import { createHash, hash, timingSafeEqual } from 'node:crypto';

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
  const head = `${input.appSecret}+${input.consumerKey}+${input.method}+${input.url}+`;
  const tail = `+${input.timestamp}`;
  const body = input.body ?? '';
  // One-shot hash of one string where the body is text (or empty: every GET); '+' sits on both
  // sides of the body, so joining the strings first cannot change their UTF-8 bytes.
  if (typeof body === 'string') return OVH_SIGNATURE_PREFIX + hash('sha1', head + body + tail, 'hex');
  if (body.length === 0) return OVH_SIGNATURE_PREFIX + hash('sha1', head + tail, 'hex');
  // A Buffer is hashed as-is so the signature covers the bytes on the wire, not a re-encoding.
  return (
    OVH_SIGNATURE_PREFIX +
    createHash('sha1').update(head, 'utf8').update(body).update(tail, 'utf8').digest('hex')
  );
}

export function verifyOvhSignature(input: OvhSignatureInput & { signature: string }): boolean {
  const expected = Buffer.from(computeOvhSignature(input), 'utf8');
  const given = Buffer.from(input.signature, 'utf8');
  if (given.length !== expected.length) return false;
  return timingSafeEqual(expected, given);
}
