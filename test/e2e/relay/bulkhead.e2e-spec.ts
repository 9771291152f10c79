import { GrantsService } from '@app/grants';
import { adminViewer, delegatedAccount, SYSTEM_CTX } from '../../integration/grants/grant-fixtures';
import { type RelayInstance, startStubbedRelay, type StubbedRelay, WIDE_CK_RULES } from './relay-harness';
import { defaultAnswer } from './upstream-stub';
import { type CallResult, percentile, pointAccountAt, relayClient } from './upstream-faults';

const SLOW_MS = 1500;
const CAP = 8;

// SECURITY-CHECKLIST L2: one delegated account saturating the relay with slow upstream calls
// must not starve another. The bulkhead caps each account's calls in flight
// (RELAY_MAX_INFLIGHT_PER_ACCOUNT) below the upstream pool size (RELAY_UPSTREAM_CONNECTIONS).
describe('relay per-account bulkhead (L2)', () => {
  let r: StubbedRelay;
  let tokenA: string;
  let tokenB: string;
  let consumerKeyA: string;

  beforeAll(async () => {
    r = await startStubbedRelay({ RELAY_CACHE_TTL_SECONDS: '3600' });
    // a second customer account, on the same application (requested from the emulator)
    await pointAccountAt(r, r.emulator.url, [r.relay]);
    const accountB = await delegatedAccount(r.relay.app.app, r.emulator, WIDE_CK_RULES, {
      displayName: 'Customer B',
    });
    await pointAccountAt(r, r.stub.url, [r.relay]);
    consumerKeyA = r.account.realConsumerKey;
    tokenA = (await r.grant()).credentials.bearerToken;
    const grantB = await r.relay.app.app.get(GrantsService).create(
      adminViewer(),
      accountB.accountId,
      {
        consumerKeyId: accountB.consumerKeyId,
        holder: { type: 'tool', name: 'bulkhead-b' },
        accessRules: [{ method: 'GET', path: '/domain/*' }],
        ttlSeconds: 3600,
        rateLimitPerMinute: 100000,
      },
      SYSTEM_CTX,
    );
    tokenB = grantB.credentials.bearerToken;
    // account A's calls are slow at the upstream, account B's are not
    r.stub.behave((q, res) => {
      if (q.headers['x-ovh-consumer'] === consumerKeyA) setTimeout(() => defaultAnswer(q, res), SLOW_MS);
      else defaultAnswer(q, res);
    });
  });

  afterAll(async () => {
    await r?.close();
  });

  // Account A: `clients` loops, each re-sending as soon as its call ends (after a short pause
  // when refused), so A keeps every slot it may have; stops when `stop()` is called.
  function saturate(relay: RelayInstance, clients: number) {
    const client = relayClient(relay.port, clients);
    const results: CallResult[] = [];
    let running = true;
    const loops = Array.from({ length: clients }, async () => {
      while (running) {
        const res = await client.call('/1.0/domain/zone/a', tokenA, 20_000);
        results.push(res);
        if (res.status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });
    return {
      results,
      async stop() {
        running = false;
        await Promise.all(loops);
        client.close();
      },
    };
  }

  async function latenciesOfB(relay: RelayInstance, n: number): Promise<{ p99: number; statuses: number[] }> {
    const client = relayClient(relay.port, 1);
    const times: number[] = [];
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) {
      const res = await client.call('/1.0/domain/zone/b', tokenB);
      statuses.push(res.status);
      times.push(res.elapsedMs);
    }
    client.close();
    return { p99: percentile(times, 99), statuses };
  }

  it("L2 keeps account B's latency while account A holds all its slots with slow calls", async () => {
    const relay = await r.startInstance({
      RELAY_MAX_INFLIGHT_PER_ACCOUNT: String(CAP),
      RELAY_UPSTREAM_CONNECTIONS: '16',
    });
    try {
      await latenciesOfB(relay, 20); // warm-up
      const unloaded = await latenciesOfB(relay, 100);
      expect(unloaded.statuses.every((s) => s === 200)).toBe(true);

      const a = saturate(relay, 32);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(relay.relay.status().inFlight).toMatchObject({ accounts: 1, maxPerAccount: CAP });
      const loaded = await latenciesOfB(relay, 100);
      const inFlightDuring = relay.relay.status().inFlight;
      await a.stop();

      expect(loaded.statuses.every((s) => s === 200)).toBe(true);
      expect(inFlightDuring.maxPerAccount).toBeLessThanOrEqual(CAP);
      // A got its CAP slow calls through and polite refusals for the rest
      const busy = a.results.filter((x) => x.status === 429);
      expect(a.results.filter((x) => x.status === 200).length).toBeGreaterThanOrEqual(CAP);
      expect(busy.length).toBeGreaterThan(0);
      expect(busy.every((x) => x.relayError === 'ACCOUNT_BUSY' && x.retryAfter === '1')).toBe(true);
      expect(JSON.parse(busy[0].body)).toMatchObject({ errorCode: 'TOO_MANY_REQUESTS' });
      expect(a.results.every((x) => x.status === 200 || x.status === 429)).toBe(true);
      console.log(
        `L2: B p99 unloaded ${unloaded.p99.toFixed(1)} ms, with A saturated ${loaded.p99.toFixed(1)} ms; ` +
          `A: ${a.results.length - busy.length} served, ${busy.length} ACCOUNT_BUSY`,
      );
      // a noisy 2-core machine: 2x plus a small absolute margin
      expect(loaded.p99).toBeLessThan(2 * unloaded.p99 + 50);
      expect(relay.relay.status().inFlight.calls).toBe(0);
    } finally {
      await relay.app.close();
    }
  });

  it('L2 control: without a low enough cap, A takes the whole upstream pool and B waits behind it', async () => {
    const relay = await r.startInstance({
      RELAY_MAX_INFLIGHT_PER_ACCOUNT: '1000',
      RELAY_UPSTREAM_CONNECTIONS: '16',
    });
    try {
      const a = saturate(relay, 32);
      await new Promise((resolve) => setTimeout(resolve, 400));
      const loaded = await latenciesOfB(relay, 3);
      await a.stop();
      // B queues behind A's slow calls in undici's pool: the starvation the bulkhead prevents
      expect(loaded.p99).toBeGreaterThan(SLOW_MS / 3);
    } finally {
      await relay.app.close();
    }
  });
});
