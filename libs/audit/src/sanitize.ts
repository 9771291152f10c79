import { MemoTable } from '@app/common';

// Audit rows are read by many people and exported: nothing that authenticates
// anyone may land in them, whatever a caller passes as metadata.
const SENSITIVE_KEY =
  /(pass(word|phrase)?|secret|token|authorization|cookie|signature|otp|totp|recovery|consumer_?key|private_?key|api_?key|credential)/i;
const HARMLESS_SUFFIX = /(id|ids|prefix|count|type|at|expires|name)$/i;
const TOKEN_LIKE = /\bob[armt]_[A-Za-z0-9_-]{8,}/g;
const HAS_TOKEN_LIKE = /\bob[armt]_[A-Za-z0-9_-]{8,}/;
const MAX_DEPTH = 5;
const MAX_STRING = 1024;
const MAX_KEYS = 50;

export const REDACTED = '[redacted]';

// Most metadata keys come back on every event (the relay writes the same nine per call), so the
// verdicts of the first few thousand distinct keys are kept.
const VERDICTS = new MemoTable<boolean>(4096);
const judge = (key: string) => SENSITIVE_KEY.test(key) && !HARMLESS_SUFFIX.test(key);

export function isSensitiveKey(key: string): boolean {
  return VERDICTS.get(key, judge);
}

// PostgreSQL text cannot hold NUL, and a lone UTF-16 surrogate has no UTF-8 form: the driver
// would store a replacement character while the chain hashed the original, and the row would
// fail verification. Both become U+FFFD before anything is hashed.
// eslint-disable-next-line no-control-regex -- NUL is exactly what is looked for
const NUL_OR_SURROGATE = /[\u0000\ud800-\udfff]/;

function storable(s: string): string {
  if (!NUL_OR_SURROGATE.test(s)) return s;
  return (s as string & { toWellFormed(): string }).toWellFormed().replaceAll('\u0000', '\ufffd');
}

function clean(value: unknown, depth: number): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    const text = storable(value);
    const s = HAS_TOKEN_LIKE.test(text) ? text.replace(TOKEN_LIKE, REDACTED) : text;
    return s.length > MAX_STRING ? `${s.slice(0, MAX_STRING)}…` : s;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (depth >= MAX_DEPTH) return '[truncated]';
  if (Array.isArray(value)) return value.slice(0, MAX_KEYS).map((v) => clean(v, depth + 1));
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    const keys = Object.keys(record);
    for (let i = 0; i < keys.length && i < MAX_KEYS; i++) {
      const k = keys[i];
      out[storable(k)] = isSensitiveKey(k) ? REDACTED : clean(record[k], depth + 1);
    }
    return out;
  }
  return String(value);
}

export function sanitizeMetadata(metadata: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!metadata) return {};
  return clean(metadata, 0) as Record<string, unknown>;
}

export function sanitizeText(value: string | undefined, max = 512): string | null {
  if (value === undefined || value === null) return null;
  return clean(String(value).slice(0, max), 0) as string;
}
