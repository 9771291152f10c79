import type { ServerResponse } from 'node:http';
import { endpointOrigin } from '@app/ovh-protocol';
import type { RelayInstance, StubbedRelay } from './relay-harness';
import { startStubbedRelay } from './relay-harness';
import { defaultAnswer, type StubRequest } from './upstream-stub';
import {
  activeResources,
  heapAfterGc,
  pointAccountAt,
  relayClient,
  startTlsUpstream,
  type CallResult,
  type TlsUpstream,
  waitFor,
} from './upstream-faults';

const CONNECT_TIMEOUT_MS = 150;
const UPSTREAM_TIMEOUT_MS = 400;
// undici runs its connect, headers and body timers on "fast timers" (500 ms ticks): they fire
// up to about one second after the configured value. Assertions allow that much.
const TIMER_SLACK_MS = 1200;

// Paths the stub answers differently: all granted by the security grant's `GET /domain/*`.
const OK = '/1.0/domain/zone/ok';
const HANG_HEADERS = '/1.0/domain/zone/hang-headers';
const HANG_BODY = '/1.0/domain/zone/hang-body';

function byPath(q: StubRequest, res: ServerResponse): void {
  if (q.target === HANG_HEADERS) return;
  if (q.target === HANG_BODY) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
    res.write('{"partial":');
    return;
  }
  defaultAnswer(q, res);
}

// The upstream client's pool stats, per origin (undici Agent#stats).
interface PoolStats {
  connected: number;
  free: number;
  pending: number;
  queued: number;
  running: number;
}
function poolStats(instance: RelayInstance): Record<string, PoolStats> {
  return (instance.relay.upstream as unknown as { dispatcher: { stats: Record<string, PoolStats> } })
    .dispatcher.stats;
}

// Pretend this instance already synced its clock with `base` (as after any earlier success),
// so its calls go straight to the signed request instead of the /auth/time probe.
function seedClockDelta(instance: RelayInstance, base: string): void {
  const deltas = (instance.relay.upstream as unknown as { deltas: Map<string, unknown> }).deltas;
  deltas.set(endpointOrigin(base), { delta: 0, syncedAt: Date.now() });
}

// SECURITY-CHECKLIST S3 (hangs at connect, headers and body: 504 within each timeout, sockets
// released, nothing leaks over thousands of calls) and the TLS part of S4.
describe('relay against a hanging or untrusted upstream (S3, S4 TLS)', () => {
  let r: StubbedRelay;
  let tls: TlsUpstream;
  let token: string;

  beforeAll(async () => {
    r = await startStubbedRelay({
      RELAY_UPSTREAM_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      RELAY_UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
      RELAY_BREAKER_FAILURE_THRESHOLD: '1000',
      RELAY_MAX_INFLIGHT_PER_ACCOUNT: '1000',
      RELAY_CACHE_TTL_SECONDS: '3600',
    });
    tls = await startTlsUpstream('hang');
    token = (await r.grant()).credentials.bearerToken;
  });

  afterAll(async () => {
    await tls?.close();
    await r?.close();
  });

  beforeEach(() => {
    r.stub.reset();
    r.stub.behave(byPath);
  });

  it('S3 answers 504 within the headers and body timeout, and the upstream socket is closed', async () => {
    const client = relayClient(r.relay.port, 4);
    try {
      for (const target of [HANG_HEADERS, HANG_BODY]) {
        const res = await client.call(target, token);
        expect(res).toMatchObject({ status: 504, relayError: 'UPSTREAM_TIMEOUT' });
        expect(JSON.parse(res.body)).toMatchObject({ errorCode: 'GATEWAY_TIMEOUT' });
        expect(res.body).not.toContain('partial');
        expect(res.elapsedMs).toBeGreaterThanOrEqual(UPSTREAM_TIMEOUT_MS - 20);
        expect(res.elapsedMs).toBeLessThan(UPSTREAM_TIMEOUT_MS + TIMER_SLACK_MS);
      }
      // undici destroys a timed-out connection: the stub sees both hung sockets close.
      expect(await waitFor(() => r.stub.openSockets() <= 1)).toBe(true);
      expect((await client.call(OK, token)).status).toBe(200);
    } finally {
      client.close();
    }
  });

  it('S3 answers 504 within the connect timeout when the upstream never completes the connection', async () => {
    // a long headers timeout, so a 504 before it can only come from the connect timer
    const headersTimeoutMs = 5000;
    const relay = await r.startInstance({ RELAY_UPSTREAM_TIMEOUT_MS: String(headersTimeoutMs) });
    const client = relayClient(relay.port, 4);
    try {
      await pointAccountAt(r, tls.url, [relay]);
      // warm the grant and signing-material caches (a local answer, nothing sent upstream)
      expect((await client.call('/1.0/auth/currentCredential', token)).status).toBe(200);
      // First call to a new upstream: the clock probe is what hangs, and that is a timeout too.
      const probe = await client.call('/1.0/domain/zone', token);
      expect(probe).toMatchObject({ status: 504, relayError: 'UPSTREAM_TIMEOUT' });
      expect(probe.elapsedMs).toBeLessThan(CONNECT_TIMEOUT_MS + TIMER_SLACK_MS);

      seedClockDelta(relay, tls.url);
      const res = await client.call('/1.0/domain/zone', token);
      expect(res).toMatchObject({ status: 504, relayError: 'UPSTREAM_TIMEOUT' });
      // the connect timer fired, not the (longer) headers one
      expect(res.elapsedMs).toBeGreaterThanOrEqual(CONNECT_TIMEOUT_MS - 20);
      expect(res.elapsedMs).toBeLessThan(CONNECT_TIMEOUT_MS + TIMER_SLACK_MS);
      expect(res.elapsedMs).toBeLessThan(headersTimeoutMs);
      expect(await waitFor(() => tls.openSockets() === 0)).toBe(true);
      expect(tls.requests).toBe(0);
    } finally {
      client.close();
      await pointAccountAt(r, r.stub.url, [r.relay]);
      await relay.app.close();
    }
  });

  it('S4 answers 502 to an upstream whose TLS certificate is not trusted, and sends it nothing', async () => {
    const untrusted = await startTlsUpstream('tls');
    const relay = await r.startInstance();
    const client = relayClient(relay.port, 2);
    try {
      await pointAccountAt(r, untrusted.url, [relay]);
      const first = await client.call('/1.0/domain/zone', token);
      expect(first.status).toBe(502);
      expect(first.relayError).toBe('UPSTREAM_UNREACHABLE');
      expect(JSON.parse(first.body)).toMatchObject({ errorCode: 'BAD_GATEWAY' });
      // With a clock delta already known, the signed call itself is refused at the handshake.
      seedClockDelta(relay, untrusted.url);
      const signed = await client.call('/1.0/domain/zone', token);
      expect(signed).toMatchObject({ status: 502, relayError: 'UPSTREAM_UNREACHABLE' });
      // no request (and so no signature, no consumer key) ever crossed the untrusted connection
      expect(untrusted.requests).toBe(0);
      expect(relay.app.app.getHttpServer().listening).toBe(true);
    } finally {
      client.close();
      await pointAccountAt(r, r.stub.url, [r.relay]);
      await relay.app.close();
      await untrusted.close();
    }
  });

  it('S3 leaks nothing over 3,000 hanging calls (headers, body, connect): sockets, pool, timers, heap', async () => {
    const relay = await r.startInstance({
      RELAY_UPSTREAM_CONNECT_TIMEOUT_MS: '100',
      RELAY_UPSTREAM_TIMEOUT_MS: '100',
      RELAY_UPSTREAM_CONNECTIONS: '512',
    });
    // each hanging call lasts about a second (timer granularity): go wide to stay under ~15 s
    const concurrency = 400;
    const client = relayClient(relay.port, concurrency);
    const run = async (targets: string[]): Promise<CallResult[]> => {
      const results: CallResult[] = new Array<CallResult>(targets.length);
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < targets.length) {
            const i = next++;
            results[i] = await client.call(targets[i], token);
          }
        }),
      );
      return results;
    };
    // every 25th call succeeds, which also keeps the breaker (consecutive failures) closed
    const httpTargets = (n: number) =>
      Array.from({ length: n }, (_, i) => (i % 25 === 0 ? OK : i % 2 ? HANG_HEADERS : HANG_BODY));
    try {
      // warm-up: JIT, pools, caches, audit buffer
      await run(httpTargets(200));
      await relay.relay.audit.flush();
      await waitFor(() => relay.relay.status().inFlight.calls === 0);
      const heapBefore = heapAfterGc();
      const resourcesBefore = activeResources();

      const started = Date.now();
      const httpResults = await run(httpTargets(2100));
      const httpElapsed = Date.now() - started;
      await pointAccountAt(r, tls.url, [relay]);
      seedClockDelta(relay, tls.url);
      const connectResults = await run(Array.from({ length: 900 }, () => '/1.0/domain/zone'));
      const elapsed = Date.now() - started;

      const targets = httpTargets(2100);
      const hung = [...httpResults.filter((_, i) => targets[i] !== OK), ...connectResults];
      expect(hung).toHaveLength(3000 - Math.ceil(2100 / 25));
      expect(hung.every((x) => x.status === 504 && x.relayError === 'UPSTREAM_TIMEOUT')).toBe(true);
      // the healthy calls mixed in succeed (a few may time out on a saturated 2-core machine)
      const healthy = httpResults.filter((_, i) => targets[i] === OK);
      expect(healthy.every((x) => x.status === 200 || x.relayError === 'UPSTREAM_TIMEOUT')).toBe(true);
      expect(healthy.filter((x) => x.status === 200).length).toBeGreaterThan(healthy.length / 2);
      const timeouts = [...httpResults, ...connectResults].filter((x) => x.status === 504);
      // queued behind the pool at most a few timeouts, never hung
      expect(Math.max(...timeouts.map((x) => x.elapsedMs))).toBeLessThan(100 + 2 * TIMER_SLACK_MS);

      // Released: nothing in flight, no upstream socket left open but the idle keep-alive ones.
      await relay.relay.audit.flush();
      expect(await waitFor(() => relay.relay.status().inFlight.calls === 0)).toBe(true);
      expect(await waitFor(() => tls.openSockets() === 0)).toBe(true);
      expect(r.stub.openSockets()).toBeLessThanOrEqual(concurrency + 4);
      for (const [origin, stats] of Object.entries(poolStats(relay))) {
        expect({ origin, ...stats }).toMatchObject({ origin, pending: 0, queued: 0, running: 0 });
        expect(stats.connected).toBeLessThanOrEqual(concurrency);
      }
      client.close();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const resourcesAfter = activeResources();
      // sockets and timers back to (at most) their warmed-up count: none accumulated per call
      for (const kind of ['TCPSocketWrap', 'Timeout', 'TLSWrap']) {
        expect({ kind, n: resourcesAfter[kind] ?? 0 }).toEqual({
          kind,
          n: Math.min(resourcesAfter[kind] ?? 0, (resourcesBefore[kind] ?? 0) + 16),
        });
      }
      const heapGrowth = heapAfterGc() - heapBefore;
      expect(heapGrowth).toBeLessThan(24 * 1024 * 1024);
      // the relay is still serving normally afterwards
      await pointAccountAt(r, r.stub.url, [relay]);
      const after = relayClient(relay.port, 1);
      expect((await after.call(OK, token)).status).toBe(200);
      after.close();
      console.log(
        `S3 leak loop: 3000 hanging calls in ${elapsed} ms (http ${httpElapsed} ms), heap +${Math.round(heapGrowth / 1024)} KiB, ` +
          `resources before ${JSON.stringify(resourcesBefore)} after ${JSON.stringify(resourcesAfter)}`,
      );
    } finally {
      client.close();
      await pointAccountAt(r, r.stub.url, [r.relay]);
      await relay.app.close();
    }
  });
});
