// Log scrubbing, in two layers: any property whose *name* says it holds a
// secret is replaced, at any depth; and secret-shaped text (bearer tokens, our
// ob?_ tokens, URL passwords, secret query parameters) is masked inside every
// string, messages included. Ids (consumerKeyId, tokenId) are kept.
export const REDACTED = '[redacted]';

const SECRET_NAMES = new Set([
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'consumerkey',
  'applicationsecret',
  'appsecret',
  'as',
  'ck',
  'masterkey',
  'masterkeys',
  'privatekey',
  'otp',
  'totp',
  'totpcode',
  'recoverycode',
  'recoverycodes',
  'signature',
  'xovhsignature',
  'xovhconsumer',
  'dek',
  'kek',
  'plaintext',
  'databaseurl',
  'redisurl',
  'credentials',
]);

const SECRET_SUFFIXES = ['password', 'secret', 'token', 'passphrase', 'privatekey', 'apikey'];

export function isSecretKey(name: string): boolean {
  const k = name.toLowerCase().replace(/[-_\s]/g, '');
  return SECRET_NAMES.has(k) || SECRET_SUFFIXES.some((s) => k.endsWith(s));
}

const TEXT_PATTERNS: Array<[RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/gi, `$1 ${REDACTED}`],
  [/\b(ob[a-z]_)[A-Za-z0-9_-]{8,}/g, `$1${REDACTED}`],
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+):[^\s@/]+@/gi, `$1:${REDACTED}@`],
  [/([A-Za-z_]*(?:token|secret|password|signature)=)[^&\s"']+/gi, `$1${REDACTED}`],
  [/(\b(?:consumerKey|consumer_key|code|key|ck|as)=)[^&\s"']+/gi, `$1${REDACTED}`],
];

export function scrubText(text: string): string {
  let out = text;
  for (const [re, replacement] of TEXT_PATTERNS) out = out.replace(re, replacement);
  return out;
}

const MAX_DEPTH = 8;

// Returns a scrubbed copy (the caller's object is never changed). Objects that
// are not plain (requests, sockets, class instances) are left to pino's
// serializers; errors become { type, message, stack, code } with text scrubbed.
export function scrubLogObject<T extends object>(obj: T): T {
  return scrub(obj, 0, new WeakSet()) as T;
}

function scrub(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[depth]';
  if (value instanceof Error) {
    seen.add(value);
    const e = value as Error & { code?: unknown };
    const out: Record<string, unknown> = {
      type: e.name,
      message: scrubText(e.message),
      stack: e.stack ? scrubText(e.stack) : undefined,
    };
    if (typeof e.code === 'string' || typeof e.code === 'number') out.code = e.code;
    if (e.cause !== undefined) out.cause = scrub(e.cause, depth + 1, seen);
    return out;
  }
  if (Array.isArray(value)) {
    seen.add(value);
    return value.map((v) => scrub(v, depth + 1, seen));
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  seen.add(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSecretKey(k) && v !== null && v !== undefined ? REDACTED : scrub(v, depth + 1, seen);
  }
  return out;
}
