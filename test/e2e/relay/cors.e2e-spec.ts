import { startRelayHarness, type RelayHarness } from './relay-harness';

const DASHBOARD = 'https://broker.agency.example';

// The dashboard's API console calls the relay from the browser: preflights from the
// configured origin are answered locally; any other OPTIONS stays refused (checklist R4).
describe('relay CORS for the dashboard console', () => {
  let h: RelayHarness;
  beforeAll(async () => {
    h = await startRelayHarness({ RELAY_CORS_ORIGINS: DASHBOARD });
  });
  afterAll(() => h.close());

  const preflight = (origin: string, method = 'GET') =>
    fetch(`${h.relay.url}/1.0/domain/zone`, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': method,
        'Access-Control-Request-Headers': 'authorization',
      },
    });

  it('answers a preflight from the dashboard origin without authentication or upstream call', async () => {
    const before = h.upstreamCalls().length;
    const res = await preflight(DASHBOARD);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(DASHBOARD);
    expect(res.headers.get('access-control-allow-headers')).toContain('Authorization');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST, PUT, DELETE');
    expect(h.upstreamCalls()).toHaveLength(before);
  });

  it('refuses preflights from other origins, and for methods it does not relay', async () => {
    expect((await preflight('https://evil.example')).status).toBe(405);
    expect((await preflight(DASHBOARD, 'PATCH')).status).toBe(405);
    const bare = await fetch(`${h.relay.url}/1.0/domain/zone`, { method: 'OPTIONS' });
    expect(bare.status).toBe(405);
    expect(bare.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets the dashboard read the answer of a real call, and no other origin', async () => {
    const { credentials } = await h.grant();
    const call = (origin: string) =>
      fetch(`${h.relay.url}/1.0/domain/zone`, {
        headers: { Origin: origin, Authorization: `Bearer ${credentials.bearerToken}` },
      });
    const ok = await call(DASHBOARD);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(DASHBOARD);
    expect(ok.headers.get('access-control-expose-headers')).toContain('X-Relay-Error');
    const other = await call('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
