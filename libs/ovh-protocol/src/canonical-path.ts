// Request-target canonicalisation for the relay (SECURITY-CHECKLIST R1). Ambiguous input is refused,
// never repaired: the policy check and the upstream request must see the very same bytes.

export type OvhApiBranch = '1.0' | 'v1' | 'v2';

export type CanonicalPathErrorCode =
  | 'NOT_ORIGIN_FORM'
  | 'AMBIGUOUS_PATH'
  | 'INVALID_PERCENT_ENCODING'
  | 'FORBIDDEN_CHARACTER'
  | 'FRAGMENT_NOT_ALLOWED'
  | 'PATH_TOO_LONG'
  | 'QUERY_TOO_LONG'
  | 'UNKNOWN_API_BRANCH';

export class CanonicalPathError extends Error {
  constructor(
    readonly code: CanonicalPathErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CanonicalPathError';
  }
}

export interface CanonicalTarget {
  branch: OvhApiBranch;
  // Path relative to the branch root, still percent-encoded as received, e.g. /domain/zone.
  path: string;
  // Raw query without the leading '?', '' when absent.
  query: string;
  // The validated target, byte for byte what the client sent and what must be forwarded.
  target: string;
}

export const MAX_PATH_LENGTH = 2048;
export const MAX_QUERY_LENGTH = 4096;

const BRANCHES: readonly OvhApiBranch[] = ['1.0', 'v1', 'v2'];

// Percent-encoded bytes that would change how a path is split or normalised downstream.
const FORBIDDEN_ENCODED_IN_PATH: Readonly<Record<string, string>> = {
  '2e': 'encoded dot',
  '2f': 'encoded slash',
  '5c': 'encoded backslash',
  '25': 'double encoding',
  '3b': 'encoded semicolon',
  '3f': 'encoded question mark',
  '23': 'encoded fragment marker',
};

// Unicode look-alikes of '.' and '/' that some stacks normalise (NFKC) into path separators.
const LOOKALIKES = new Set([0xff0e, 0xff0f, 0xfe52, 0x2024, 0x2215, 0x2044, 0x29f8, 0xff3c, 0xfe68]);

export function canonicalizeRequestTarget(rawTarget: string): CanonicalTarget {
  if (rawTarget.length > MAX_PATH_LENGTH + 1 + MAX_QUERY_LENGTH) {
    throw new CanonicalPathError('PATH_TOO_LONG', 'Request target is too long');
  }
  if (!rawTarget.startsWith('/')) {
    throw new CanonicalPathError('NOT_ORIGIN_FORM', 'Only origin-form request targets are accepted');
  }
  if (rawTarget.includes('#')) {
    throw new CanonicalPathError('FRAGMENT_NOT_ALLOWED', 'A fragment is not allowed in a request target');
  }
  const q = rawTarget.indexOf('?');
  const path = q < 0 ? rawTarget : rawTarget.slice(0, q);
  const query = q < 0 ? '' : rawTarget.slice(q + 1);
  if (path.length > MAX_PATH_LENGTH) throw new CanonicalPathError('PATH_TOO_LONG', 'Path is too long');
  if (query.length > MAX_QUERY_LENGTH) throw new CanonicalPathError('QUERY_TOO_LONG', 'Query is too long');

  checkRawCharacters(path, 'path');
  checkRawCharacters(query, 'query');
  if (path.includes('\\')) throw new CanonicalPathError('AMBIGUOUS_PATH', 'Backslash in path');
  if (path.includes(';'))
    throw new CanonicalPathError('AMBIGUOUS_PATH', 'Path parameters (;) are not allowed');
  if (path.startsWith('//') || path.includes('//')) {
    throw new CanonicalPathError('AMBIGUOUS_PATH', 'Empty path segment (//)');
  }
  checkPercentEncoding(path, true);
  checkPercentEncoding(query, false);

  const segments = path.split('/').slice(1);
  for (const segment of segments) {
    if (segment === '.' || segment === '..') {
      throw new CanonicalPathError('AMBIGUOUS_PATH', 'Dot segments are not allowed');
    }
  }
  const branch = segments[0] as OvhApiBranch;
  if (!BRANCHES.includes(branch)) {
    throw new CanonicalPathError('UNKNOWN_API_BRANCH', 'Path must start with /1.0, /v1 or /v2');
  }
  const relative = path.slice(branch.length + 1) || '/';
  return { branch, path: relative, query, target: rawTarget };
}

// Returns the error instead of throwing, for callers that branch on the outcome.
export function tryCanonicalizeRequestTarget(
  rawTarget: string,
): { ok: true; value: CanonicalTarget } | { ok: false; error: CanonicalPathError } {
  try {
    return { ok: true, value: canonicalizeRequestTarget(rawTarget) };
  } catch (error) {
    if (error instanceof CanonicalPathError) return { ok: false, error };
    throw error;
  }
}

function checkRawCharacters(part: string, label: string): void {
  for (let i = 0; i < part.length; i++) {
    const code = part.charCodeAt(i);
    // Controls, space and anything non-ASCII never appear raw in a well-formed target.
    if (code <= 0x20 || code >= 0x7f) {
      throw new CanonicalPathError('FORBIDDEN_CHARACTER', `Forbidden raw character in ${label}`);
    }
  }
}

function checkPercentEncoding(part: string, isPath: boolean): void {
  const bytes: number[] = [];
  for (let i = 0; i < part.length; i++) {
    if (part[i] !== '%') {
      flushUtf8(bytes, isPath);
      continue;
    }
    const hex = part.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) {
      throw new CanonicalPathError('INVALID_PERCENT_ENCODING', 'Invalid percent-encoding');
    }
    const byte = parseInt(hex, 16);
    const lower = hex.toLowerCase();
    if (byte < 0x20 || byte === 0x7f) {
      throw new CanonicalPathError('FORBIDDEN_CHARACTER', 'Encoded control character');
    }
    if (isPath && FORBIDDEN_ENCODED_IN_PATH[lower]) {
      throw new CanonicalPathError('AMBIGUOUS_PATH', `Path contains an ${FORBIDDEN_ENCODED_IN_PATH[lower]}`);
    }
    if (byte >= 0x80) bytes.push(byte);
    else flushUtf8(bytes, isPath);
    i += 2;
  }
  flushUtf8(bytes, isPath);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

// Encoded non-ASCII must be valid shortest-form UTF-8 (refuses overlong %c0%ae) and no look-alike.
function flushUtf8(bytes: number[], isPath: boolean): void {
  if (bytes.length === 0) return;
  let text: string;
  try {
    text = strictUtf8.decode(Uint8Array.from(bytes));
  } catch {
    throw new CanonicalPathError('INVALID_PERCENT_ENCODING', 'Encoded bytes are not valid UTF-8');
  } finally {
    bytes.length = 0;
  }
  for (const char of text) {
    const cp = char.codePointAt(0) ?? 0;
    if (cp >= 0x80 && cp <= 0x9f)
      throw new CanonicalPathError('FORBIDDEN_CHARACTER', 'Encoded control character');
    if (isPath && LOOKALIKES.has(cp)) {
      throw new CanonicalPathError('AMBIGUOUS_PATH', 'Encoded look-alike of "." or "/"');
    }
  }
}
