import { AuditService } from '@app/audit';
import { verifyOvhSignature } from '@app/ovh-protocol';
import { RelayLookups } from '@app/relay-core';
import { EMULATOR_APP } from '../../utils/start-emulator';
import { rawRequest } from './raw-http';
import { type RelayInstance, startStubbedRelay, type StubbedRelay } from './relay-harness';

// SECURITY-CHECKLIST D5 (S1-S5) plus the relay's resilience and resource items (F4, L1, L3, T7).
describe('relay against a misbehaving upstream, and its limits (S1-S5, F4, L1, L3, T7)', () => {
  let r: StubbedRelay;
  let token: string;

  beforeAll(async () => {
    r = await startStubbedRelay({
      RELAY_UPSTREAM_TIMEOUT_MS: '800',
      RELAY_MAX_RESPONSE_BYTES: '4096',
      RELAY_BREAKER_FAILURE_THRESHOLD: '3',
      RELAY_BREAKER_COOLDOWN_MS: '60000',
    });
    token = (await r.grant()).credentials.bearerToken;
  });

  afterAll(async () => {
    await r?.close();
  });

  beforeEach(() => r.stub.reset());

  const get = (relay: RelayInstance = r.relay, target = '/1.0/domain/zone', t = token) =>
    rawRequest(
      relay.port,
      `GET ${target} HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer ${t}\r\nConnection: close\r\n\r\n`,
      {
        timeoutMs: 5000,
      },
    );

  it('S2 does not follow upstream redirects, wherever they point', async () => {
    for (const status of [301, 302, 307, 308]) {
      r.stub.behave((_q, res) => {
        res.writeHead(status, { location: 'http://169.254.169.254/latest/meta-data/' });
        res.end();
      });
      const res = await get();
      expect(res.status).toBe(502);
      expect(res.headers['x-relay-error']).toBe('UPSTREAM_REDIRECT');
      expect(res.headers.location).toBeUndefined();
    }
    expect(r.stub.requests).toHaveLength(4);
  });

  it('S3 answers 504 within the timeout when the upstream hangs before headers or mid-body', async () => {
    r.stub.behave(() => undefined);
    const hang = await get();
    expect(hang.status).toBe(504);
    expect(hang.headers['x-relay-error']).toBe('UPSTREAM_TIMEOUT');
    expect(hang.elapsedMs).toBeLessThan(2000);

    r.stub.behave((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"partial":');
    });
    const midBody = await get();
    expect(midBody.status).toBe(504);
    expect(midBody.body).not.toContain('partial');
  });

  it('S4 answers 502 to an oversized body (declared or streamed) and to malformed chunking, never a partial success', async () => {
    r.stub.behave((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' });
      res.end('x'.repeat(100000));
    });
    expect((await get()).status).toBe(502);
    r.stub.behave((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < 10; i++) res.write('y'.repeat(1000));
      res.end();
    });
    const streamed = await get();
    expect(streamed.status).toBe(502);
    expect(streamed.headers['x-relay-error']).toBe('UPSTREAM_RESPONSE_TOO_LARGE');
    r.stub.behave((_q, res) => {
      res.socket?.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nnot-hex\r\n0\r\n\r\n');
    });
    const malformed = await get();
    expect(malformed.status).toBe(502);
    expect(malformed.body).not.toContain('not-hex');
  });

  it('S5 signs with the upstream clock when local time is 10 minutes off either way', async () => {
    for (const offset of [600, -600]) {
      r.stub.offsetSeconds = offset;
      // A fresh relay instance learns the delta from the stub's /auth/time on its first call.
      const relay = await r.startInstance();
      const res = await get(relay);
      expect(res.status).toBe(200);
      const got = r.stub.requests[r.stub.requests.length - 1];
      const expected = Math.floor(Date.now() / 1000) + offset;
      expect(Math.abs(Number(got.headers['x-ovh-timestamp']) - expected)).toBeLessThanOrEqual(2);
      expect(
        verifyOvhSignature({
          appSecret: EMULATOR_APP.applicationSecret,
          consumerKey: r.account.realConsumerKey,
          method: 'GET',
          url: `${r.stub.url}/1.0/domain/zone`,
          body: '',
          timestamp: String(got.headers['x-ovh-timestamp']),
          signature: String(got.headers['x-ovh-signature']),
        }),
      ).toBe(true);
      await relay.app.close();
    }
  });

  it('F4 never retries a POST, retries an idempotent call once on a connection failure, and opens the breaker', async () => {
    // Cut mid-answer: the upstream had the call and may have acted on it, so even a GET is not
    // sent again; the caller gets a 502 that says the answer was broken, nothing of its start.
    r.stub.behave((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"partial":');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const cut = await get();
    expect(cut.status).toBe(502);
    expect(cut.headers['x-relay-error']).toBe('UPSTREAM_INVALID_RESPONSE');
    expect(cut.body).not.toContain('partial');
    expect(r.stub.requests).toHaveLength(1);

    r.stub.reset();
    r.stub.behave((_q, res) => res.socket?.destroy());
    const post = await rawRequest(
      r.relay.port,
      `POST /1.0/domain/zone/example.com/record HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer ${token}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
    );
    expect(post.status).toBe(502);
    expect(r.stub.requests).toHaveLength(1);

    r.stub.reset();
    r.stub.behave((_q, res) => res.socket?.destroy());
    expect((await get()).status).toBe(502);
    expect(r.stub.requests).toHaveLength(2);

    // A storm of mixed calls against a failing connection: upstream calls ≤ requests × (1 + one
    // retry), and every POST reached the upstream exactly once (never retried).
    r.stub.reset();
    r.stub.behave((_q, res) => res.socket?.destroy());
    const storm = await r.startInstance({ RELAY_BREAKER_FAILURE_THRESHOLD: '1000' });
    const posts = 10;
    const gets = 10;
    await Promise.all([
      ...Array.from({ length: gets }, () => get(storm)),
      ...Array.from({ length: posts }, () =>
        rawRequest(
          storm.port,
          `POST /1.0/domain/zone/example.com/record HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer ${token}\r\n` +
            'Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
        ),
      ),
    ]);
    expect(r.stub.requests.length).toBeLessThanOrEqual((posts + gets) * 2);
    expect(r.stub.requests.filter((q) => q.method === 'POST')).toHaveLength(posts);
    expect(r.stub.requests.filter((q) => q.method === 'GET')).toHaveLength(gets * 2);
    await storm.app.close();

    // Three consecutive failures (threshold 3) open the breaker: no more upstream calls.
    r.stub.reset();
    r.stub.behave((_q, res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"message":"down"}');
    });
    await get();
    const before = r.stub.requests.length;
    const open = await get();
    expect(open.status).toBe(503);
    expect(open.headers['x-relay-error']).toBe('UPSTREAM_CIRCUIT_OPEN');
    expect(open.headers['retry-after']).toBeDefined();
    expect(r.stub.requests.length).toBe(before);
    expect(r.relay.relay.status().breakers[0]).toMatchObject({ state: 'open' });
  });

  it('L1 limits per grant and per consumer key with 429 and Retry-After', async () => {
    const relay = await r.startInstance({ RELAY_CK_RATE_LIMIT_PER_MINUTE: '4' });
    const limited = await r.grant({ rateLimitPerMinute: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push(await get(relay, '/1.0/domain/zone', limited.credentials.bearerToken));
    expect(statuses.map((s) => s.status)).toEqual([200, 200, 429]);
    expect(statuses[2].headers['x-relay-error']).toBe('RATE_LIMITED_GRANT');
    expect(Number(statuses[2].headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(statuses[2].body)).toMatchObject({
      errorCode: 'TOO_MANY_REQUESTS',
      httpCode: '429 Too Many Requests',
    });

    const other = await r.grant();
    const more = [];
    for (let i = 0; i < 3; i++)
      more.push(await get(relay, '/1.0/domain/zone', other.credentials.bearerToken));
    expect(more.map((s) => s.status)).toEqual([200, 200, 429]);
    expect(more[2].headers['x-relay-error']).toBe('RATE_LIMITED_CONSUMER_KEY');
    await relay.app.close();
  });

  it('L3 keeps the lookup caches bounded under a flood of distinct invalid tokens', async () => {
    const relay = await r.startInstance({ RELAY_CACHE_MAX_ENTRIES: '500' });
    const lookups = relay.app.app.get(RelayLookups);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    const tokenFor = (i: number) => `obg_${i.toString(36).padStart(8, '0')}${alphabet.slice(0, 35)}`;
    for (let i = 0; i < 5000; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => lookups.grantByToken(tokenFor(i + j))));
    }
    expect(lookups.stats().unknownKeys).toBeLessThanOrEqual(500);
    const res = await get(relay, '/1.0/domain/zone', tokenFor(1));
    expect(res.status).toBe(401);
    await relay.app.close();
  });

  it('T7 fails closed: when audit records cannot be written the relay refuses calls, then recovers', async () => {
    const relay = await r.startInstance({ RELAY_AUDIT_MAX_PENDING: '10', RELAY_AUDIT_FLUSH_MS: '20' });
    const audit = relay.app.app.get(AuditService);
    const spy = jest.spyOn(audit, 'recordPrepared').mockRejectedValue(new Error('database is down'));
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) statuses.push((await get(relay)).status);
    expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
    const refused = await get(relay);
    expect(refused.status).toBe(503);
    expect(refused.headers['x-relay-error']).toBe('AUDIT_UNAVAILABLE');
    const upstreamBefore = r.stub.requests.length;
    await get(relay);
    expect(r.stub.requests.length).toBe(upstreamBefore);

    spy.mockRestore();
    await relay.relay.audit.flush();
    expect((await get(relay)).status).toBe(200);
    await relay.relay.audit.flush();
    expect(relay.relay.audit.stats()).toMatchObject({ pending: 0, blocked: false });
    await relay.app.close();
  });
});
