import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

// Allowlists in both directions (SECURITY-CHECKLIST H3-H5). Anything not listed never crosses
// the relay: client Authorization, Cookie, X-Ovh-*, X-Forwarded-*, Proxy-*, Upgrade, TE and
// every hop-by-hop header stay out of the upstream request; upstream Set-Cookie, Location and
// hop-by-hop headers stay out of the response. The relay adds its own X-Ovh-* headers after
// this filter, so no client header (not even `Connection: X-Ovh-Signature`) can remove them.

const REQUEST_HEADERS = new Set(['accept', 'accept-language', 'content-type', 'user-agent']);
const RESPONSE_HEADERS = new Set([
  'content-type',
  'content-language',
  'cache-control',
  'etag',
  'last-modified',
  'x-ovh-queryid',
]);
const PAGINATION_PREFIX = 'x-pagination-';

export class HeaderPolicyError extends Error {
  constructor(readonly header: string) {
    super(`Header ${header} carries a forbidden character`);
    this.name = 'HeaderPolicyError';
  }
}

// CR, LF and NUL must never be copied into an upstream header (H4); Node's parser already
// refuses them, this is the second line of defence for values we forward.
const FORBIDDEN_VALUE = /[\r\n\0]/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const NO_TOKENS: ReadonlySet<string> = new Set();

function connectionTokens(value: string | string[] | undefined): ReadonlySet<string> {
  // the common cases name no header at all
  if (!value || value === 'keep-alive' || value === 'close') return NO_TOKENS;
  const tokens = new Set<string>();
  for (const part of (Array.isArray(value) ? value.join(',') : value).split(',')) {
    const token = part.trim().toLowerCase();
    if (token) tokens.add(token);
  }
  return tokens;
}

export function upstreamRequestHeaders(incoming: IncomingHttpHeaders): Record<string, string> {
  const hopByHop = connectionTokens(incoming.connection);
  const out: Record<string, string> = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined) continue;
    if (!REQUEST_HEADERS.has(name) && !name.startsWith(PAGINATION_PREFIX)) continue;
    if (hopByHop.has(name)) continue;
    if (!TOKEN.test(name)) throw new HeaderPolicyError(name);
    const text = Array.isArray(value) ? value.join(', ') : value;
    if (FORBIDDEN_VALUE.test(text)) throw new HeaderPolicyError(name);
    out[name] = text;
  }
  return out;
}

export function clientResponseHeaders(upstream: IncomingHttpHeaders): OutgoingHttpHeaders {
  const hopByHop = connectionTokens(upstream.connection);
  const out: OutgoingHttpHeaders = {};
  for (const name in upstream) {
    const value = upstream[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (!RESPONSE_HEADERS.has(lower) && !lower.startsWith(PAGINATION_PREFIX)) continue;
    if (hopByHop.has(lower)) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    if (FORBIDDEN_VALUE.test(text)) continue;
    out[lower] = text;
  }
  return out;
}
