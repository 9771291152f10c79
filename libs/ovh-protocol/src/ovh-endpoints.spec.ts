import {
  buildApiUrl,
  endpointOrigin,
  InvalidEndpointError,
  OVH_ENDPOINTS,
  resolveEndpoint,
} from './ovh-endpoints';

describe('resolveEndpoint', () => {
  it.each(Object.entries(OVH_ENDPOINTS))('resolves %s', (name, url) => {
    expect(resolveEndpoint(name)).toBe(url);
  });

  it.each([
    ['sys-eu', 'https://eu.api.soyoustart.com/1.0'],
    ['sys-ca', 'https://ca.api.soyoustart.com/1.0'],
    ['ks-eu', 'https://eu.api.kimsufi.com/1.0'],
    ['ks-ca', 'https://ca.api.kimsufi.com/1.0'],
  ])('resolves the node-ovh alias %s', (alias, url) => {
    expect(resolveEndpoint(alias)).toBe(url);
  });

  it('accepts custom base URLs and defaults the path to /1.0', () => {
    expect(resolveEndpoint('http://127.0.0.1:3100')).toBe('http://127.0.0.1:3100/1.0');
    expect(resolveEndpoint('http://127.0.0.1:3100/1.0')).toBe('http://127.0.0.1:3100/1.0');
    expect(resolveEndpoint('https://relay.example/ovh/v1')).toBe('https://relay.example/ovh/v1');
  });

  it.each([
    'ovh-xx',
    'ftp://x',
    'http://127.0.0.1:3100/',
    'http://u:p@host/1.0',
    'http://host/1.0?x=1',
    'http://',
  ])('refuses %s', (value) => {
    expect(() => resolveEndpoint(value)).toThrow(InvalidEndpointError);
  });
});

describe('buildApiUrl', () => {
  const eu = 'https://eu.api.ovh.com/1.0';

  it('appends ordinary paths to the endpoint', () => {
    expect(buildApiUrl(eu, '/me')).toBe('https://eu.api.ovh.com/1.0/me');
    expect(buildApiUrl(eu, '/domain/?x=1')).toBe('https://eu.api.ovh.com/1.0/domain/?x=1');
  });

  it('replaces /1.0 with the /v1 or /v2 branch given in the path (official clients)', () => {
    expect(buildApiUrl(eu, '/v1/call')).toBe('https://eu.api.ovh.com/v1/call');
    expect(buildApiUrl(eu, '/v2/call')).toBe('https://eu.api.ovh.com/v2/call');
    expect(buildApiUrl(eu, '/v2?x')).toBe('https://eu.api.ovh.com/v2?x');
  });

  it('accepts already-branched /1.0 paths without doubling the branch', () => {
    expect(buildApiUrl(eu, '/1.0/me')).toBe('https://eu.api.ovh.com/1.0/me');
  });

  it('does not mistake a path that merely starts with v1 for a branch', () => {
    expect(buildApiUrl(eu, '/v1x/call')).toBe('https://eu.api.ovh.com/1.0/v1x/call');
  });

  it('refuses a path without a leading slash', () => {
    expect(() => buildApiUrl(eu, 'me')).toThrow(InvalidEndpointError);
  });

  it('extracts the origin', () => {
    expect(endpointOrigin('http://127.0.0.1:3100/1.0')).toBe('http://127.0.0.1:3100');
  });
});
