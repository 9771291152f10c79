import type { AccessRule } from '../api/types';

export interface RouteParam {
  name: string;
  in: 'path' | 'query' | 'body';
  description?: string;
  required?: boolean;
  type?: 'string' | 'number' | 'boolean';
  example?: string;
}

export interface CatalogueRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string; // template: /domain/zone/{zoneName}/record/{id}
  summary: string;
  section: string;
  params: RouteParam[];
}

// The routes the bundled emulator serves (apps/ovh-emulator). The emulator has no
// /1.0 schema to browse, so the console offers this list plus free-form paths.
export const ROUTE_CATALOGUE: CatalogueRoute[] = [
  { section: 'me', method: 'GET', path: '/me', summary: 'Account details', params: [] },
  {
    section: 'me',
    method: 'GET',
    path: '/me/api/credential',
    summary: 'List the API credentials of the account',
    params: [
      { name: 'status', in: 'query', description: 'validated, pendingValidation, expired, refused' },
      { name: 'applicationId', in: 'query', type: 'number' },
    ],
  },
  {
    section: 'me',
    method: 'GET',
    path: '/me/api/credential/{credentialId}',
    summary: 'One API credential',
    params: [{ name: 'credentialId', in: 'path', required: true, type: 'number' }],
  },
  {
    section: 'me',
    method: 'PUT',
    path: '/me/api/credential/{credentialId}',
    summary: 'Change the allowed IPs of a credential',
    params: [
      { name: 'credentialId', in: 'path', required: true, type: 'number' },
      { name: 'allowedIPs', in: 'body', description: 'JSON array of CIDR blocks, or null' },
    ],
  },
  {
    section: 'me',
    method: 'DELETE',
    path: '/me/api/credential/{credentialId}',
    summary: 'Delete a credential',
    params: [{ name: 'credentialId', in: 'path', required: true, type: 'number' }],
  },
  {
    section: 'me',
    method: 'GET',
    path: '/me/api/credential/{credentialId}/application',
    summary: 'The application of a credential',
    params: [{ name: 'credentialId', in: 'path', required: true, type: 'number' }],
  },
  {
    section: 'me',
    method: 'GET',
    path: '/me/api/application',
    summary: 'List the applications with access',
    params: [],
  },
  {
    section: 'me',
    method: 'GET',
    path: '/me/api/application/{applicationId}',
    summary: 'One application',
    params: [{ name: 'applicationId', in: 'path', required: true, type: 'number' }],
  },
  {
    section: 'auth',
    method: 'GET',
    path: '/auth/currentCredential',
    summary: 'The credential in use',
    params: [],
  },
  {
    section: 'auth',
    method: 'GET',
    path: '/auth/details',
    summary: 'Details of the authentication',
    params: [],
  },
  { section: 'domain', method: 'GET', path: '/domain', summary: 'List the domains', params: [] },
  { section: 'domain', method: 'GET', path: '/domain/zone', summary: 'List the DNS zones', params: [] },
  {
    section: 'domain',
    method: 'GET',
    path: '/domain/zone/{zoneName}',
    summary: 'One DNS zone',
    params: [{ name: 'zoneName', in: 'path', required: true, example: 'example.com' }],
  },
  {
    section: 'domain',
    method: 'GET',
    path: '/domain/zone/{zoneName}/record',
    summary: 'List the record ids of a zone',
    params: [
      { name: 'zoneName', in: 'path', required: true, example: 'example.com' },
      { name: 'fieldType', in: 'query', description: 'A, AAAA, CNAME, MX, TXT…' },
      { name: 'subDomain', in: 'query' },
    ],
  },
  {
    section: 'domain',
    method: 'POST',
    path: '/domain/zone/{zoneName}/record',
    summary: 'Create a record',
    params: [
      { name: 'zoneName', in: 'path', required: true, example: 'example.com' },
      { name: 'fieldType', in: 'body', required: true, example: 'TXT' },
      { name: 'subDomain', in: 'body', example: 'www' },
      { name: 'target', in: 'body', required: true, example: '"hello"' },
      { name: 'ttl', in: 'body', type: 'number', example: '3600' },
    ],
  },
  {
    section: 'domain',
    method: 'GET',
    path: '/domain/zone/{zoneName}/record/{id}',
    summary: 'One record',
    params: [
      { name: 'zoneName', in: 'path', required: true, example: 'example.com' },
      { name: 'id', in: 'path', required: true, type: 'number' },
    ],
  },
  {
    section: 'domain',
    method: 'PUT',
    path: '/domain/zone/{zoneName}/record/{id}',
    summary: 'Change a record',
    params: [
      { name: 'zoneName', in: 'path', required: true, example: 'example.com' },
      { name: 'id', in: 'path', required: true, type: 'number' },
      { name: 'subDomain', in: 'body' },
      { name: 'target', in: 'body' },
      { name: 'ttl', in: 'body', type: 'number' },
    ],
  },
  {
    section: 'domain',
    method: 'DELETE',
    path: '/domain/zone/{zoneName}/record/{id}',
    summary: 'Delete a record',
    params: [
      { name: 'zoneName', in: 'path', required: true, example: 'example.com' },
      { name: 'id', in: 'path', required: true, type: 'number' },
    ],
  },
  {
    section: 'domain',
    method: 'POST',
    path: '/domain/zone/{zoneName}/refresh',
    summary: 'Apply the zone changes',
    params: [{ name: 'zoneName', in: 'path', required: true, example: 'example.com' }],
  },
];

// Atoms of a pattern: a literal character, '*' (any run, '/' included: rule globs),
// or a path parameter (one or more characters other than '/').
type Atom = { lit: string } | { any: true } | { seg: true; first: boolean };

function ruleAtoms(glob: string): Atom[] {
  return [...glob].map((c) => (c === '*' ? { any: true as const } : { lit: c }));
}

function templateAtoms(template: string): Atom[] {
  const out: Atom[] = [];
  for (const part of template.split(/(\{[^}]+\})/)) {
    if (/^\{[^}]+\}$/.test(part)) out.push({ seg: true, first: true }, { seg: true, first: false });
    else for (const c of part) out.push({ lit: c });
  }
  return out;
}

// Could some filled-in version of the template match the rule's glob? A product of
// the two patterns' automata, searched breadth-first (both are small).
export function templateMayMatch(glob: string, template: string): boolean {
  const a = ruleAtoms(glob);
  const b = templateAtoms(template);
  const star = (x: Atom | undefined) => x !== undefined && ('any' in x || ('seg' in x && !x.first));
  const seen = new Set<string>();
  const queue: [number, number][] = [[0, 0]];
  while (queue.length) {
    const [i, j] = queue.shift()!;
    const key = `${i},${j}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (i === a.length && j === b.length) return true;
    // Skipping a star consumes nothing.
    if (star(a[i])) queue.push([i + 1, j]);
    if (star(b[j])) queue.push([i, j + 1]);
    const x = a[i];
    const y = b[j];
    if (!x || !y) continue;
    // Consume one character both atoms accept.
    const xLit = 'lit' in x ? x.lit : null;
    const yLit = 'lit' in y ? y.lit : null;
    let ok: boolean;
    if (xLit !== null && yLit !== null) ok = xLit === yLit;
    else if (xLit !== null)
      ok = xLit !== '/'; // y is a segment atom
    else ok = true; // x is '*': accepts anything y accepts
    if (!ok) continue;
    queue.push(['any' in x ? i : i + 1, 'seg' in y && !y.first ? j : j + 1]);
  }
  return false;
}

export function routeAllowed(rules: AccessRule[], route: { method: string; path: string }): boolean {
  return rules.some((r) => r.method === route.method && templateMayMatch(r.path, route.path));
}
