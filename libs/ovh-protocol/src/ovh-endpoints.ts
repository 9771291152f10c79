export const OVH_ENDPOINTS = {
  'ovh-eu': 'https://eu.api.ovh.com/1.0',
  'ovh-ca': 'https://ca.api.ovh.com/1.0',
  'ovh-us': 'https://api.us.ovhcloud.com/1.0',
  'kimsufi-eu': 'https://eu.api.kimsufi.com/1.0',
  'kimsufi-ca': 'https://ca.api.kimsufi.com/1.0',
  'soyoustart-eu': 'https://eu.api.soyoustart.com/1.0',
  'soyoustart-ca': 'https://ca.api.soyoustart.com/1.0',
} as const;

export type OvhEndpointName = keyof typeof OVH_ENDPOINTS;

// node-ovh lib/endpoints.js aliases.
export const OVH_ENDPOINT_ALIASES: Readonly<Record<string, OvhEndpointName>> = {
  'sys-eu': 'soyoustart-eu',
  'sys-ca': 'soyoustart-ca',
  'ks-eu': 'kimsufi-eu',
  'ks-ca': 'kimsufi-ca',
};

export class InvalidEndpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEndpointError';
  }
}

export function isOvhEndpointName(name: string): name is OvhEndpointName {
  return Object.prototype.hasOwnProperty.call(OVH_ENDPOINTS, name);
}

// Accepts a catalogue name, a node-ovh alias or a custom http(s) base URL (like php-ovh and go-ovh).
export function resolveEndpoint(nameOrUrl: string): string {
  const value = nameOrUrl.trim();
  if (isOvhEndpointName(value)) return OVH_ENDPOINTS[value];
  const alias = OVH_ENDPOINT_ALIASES[value];
  if (alias) return OVH_ENDPOINTS[alias];
  if (!/^https?:\/\//i.test(value)) {
    throw new InvalidEndpointError(`Unknown OVH endpoint "${value}"`);
  }
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new InvalidEndpointError(`Invalid endpoint URL "${value}"`);
  }
  if (parsed.username || parsed.password || parsed.search || parsed.hash) {
    throw new InvalidEndpointError('Endpoint URL must not contain credentials, a query or a fragment');
  }
  // go-ovh refuses a trailing slash; we refuse it too rather than guess what was meant.
  if (value.endsWith('/')) {
    throw new InvalidEndpointError('Endpoint URL must not end with a slash');
  }
  const path = parsed.pathname === '/' ? '' : parsed.pathname;
  return `${parsed.protocol}//${parsed.host}${path || '/1.0'}`;
}

const BRANCH_PREFIX = /^\/(v1|v2|1\.0)(\/|\?|$)/;

// Mirrors the official clients: a path starting with /v1 or /v2 replaces the endpoint's /1.0 suffix.
// A path starting with /1.0 is treated the same way, so callers may pass fully branched paths.
export function buildApiUrl(base: string, path: string): string {
  if (!path.startsWith('/')) throw new InvalidEndpointError('API path must start with "/"');
  if (BRANCH_PREFIX.test(path)) {
    return stripBranch(base) + path;
  }
  return base + path;
}

export function endpointOrigin(base: string): string {
  const match = /^(https?:\/\/[^/?#]+)/i.exec(base);
  if (!match) throw new InvalidEndpointError(`Invalid endpoint base "${base}"`);
  return match[1];
}

function stripBranch(base: string): string {
  return base.replace(/\/(1\.0|v1|v2)$/, '');
}
