// Audit rows are read by many people and exported: nothing that authenticates
// anyone may land in them, whatever a caller passes as metadata.
const SENSITIVE_KEY =
  /(pass(word|phrase)?|secret|token|authorization|cookie|signature|otp|totp|recovery|consumer_?key|private_?key|api_?key|credential)/i;
const HARMLESS_SUFFIX = /(id|ids|prefix|count|type|at|expires|name)$/i;
const TOKEN_LIKE = /\bob[armt]_[A-Za-z0-9_-]{8,}/g;
const MAX_DEPTH = 5;
const MAX_STRING = 1024;
const MAX_KEYS = 50;

export const REDACTED = '[redacted]';

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key) && !HARMLESS_SUFFIX.test(key);
}

function clean(value: unknown, depth: number): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    const s = value.replace(TOKEN_LIKE, REDACTED);
    return s.length > MAX_STRING ? `${s.slice(0, MAX_STRING)}…` : s;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (depth >= MAX_DEPTH) return '[truncated]';
  if (Array.isArray(value)) return value.slice(0, MAX_KEYS).map((v) => clean(v, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>).slice(0, MAX_KEYS)) {
      out[k] = isSensitiveKey(k) ? REDACTED : clean(v, depth + 1);
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
