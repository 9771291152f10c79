import { request as httpRequest } from 'node:http';
import { createTestDatabase, type TestDatabase } from '../../utils/test-database';
import { type BrokerProcess, startBrokerProcess } from './support/broker-process';
import { fireLoad, summarize } from './support/load';

// SECURITY-CHECKLIST F5 / PERFORMANCE P9: SIGTERM under steady load. Readiness
// flips first, requests already accepted complete, none fails because of the
// shutdown, and the process exits cleanly within 25 s.
describe('F5: SIGTERM under load', () => {
  let broker: BrokerProcess;
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    broker = await startBrokerProcess({ DATABASE_URL: db.url, SHUTDOWN_DRAIN_MS: '3000' });
  }, 180_000);
  afterAll(async () => {
    await broker?.stop();
    await db?.drop();
  });

  it('flips readiness first, loses no request, and exits within 25 s', async () => {
    const targets = [
      {
        name: 'admin-db',
        url: `${broker.adminUrl}/api/v1/operators`,
        headers: { Authorization: `Bearer oba_${'z'.repeat(43)}` },
      },
      { name: 'relay-live', url: `${broker.relayUrl}/health/live` },
      { name: 'admin-live', url: `${broker.adminUrl}/health/live` },
    ];
    // a load balancer: health-checks every 100 ms, stops routing after two "not ready" in a row
    let routing = true;
    let notReadyAt = 0;
    let failures = 0;
    const seen: string[] = [];
    const checker = setInterval(() => {
      void fetch(`${broker.adminUrl}/health/ready`, { signal: AbortSignal.timeout(2000) })
        .then(async (r) => (r.status === 200 ? 'ok' : `${r.status} ${await r.text()}`))
        .catch((e: Error) => e.message)
        .then((result) => {
          if (result === 'ok') return void (failures = 0);
          failures += 1;
          seen.push(result);
          if (failures >= 2 && routing) [routing, notReadyAt] = [false, Date.now()];
        });
    }, 100);
    const load = fireLoad(targets, 200, 20_000, () => routing);
    await sleep(2800);
    // in flight across the whole drain and the listener closing: its body is still arriving
    const slow = slowPost(
      `${broker.adminUrl}/api/v1/auth/login`,
      { email: 'nobody@example.com', password: 'x'.repeat(20) },
      4500,
    );
    await sleep(200);
    const signalledAt = Date.now();
    broker.child.kill('SIGTERM');
    const exit = await Promise.race([broker.exited, sleep(30_000).then(() => undefined)]);
    clearInterval(checker);
    const shots = await load.stop();
    const report = JSON.stringify(summarize(shots), null, 1);
    console.log(
      `[F5] not ready ${notReadyAt - signalledAt} ms after SIGTERM; exit after ${exit ? exit.at - signalledAt : '?'} ms; ` +
        `${shots.length} requests\n${report}\nhealth checks that failed: ${seen.slice(0, 3).join(' | ')}`,
    );

    const slowAnswer = await slow;
    expect(slowAnswer.endedAt).toBeGreaterThan(signalledAt + 2000);
    expect(slowAnswer.status).toBe(401);
    expect(exit).toBeDefined();
    expect(exit!.code).toBe(0);
    expect(exit!.at - signalledAt).toBeLessThanOrEqual(25_000);
    // readiness flipped before the listeners closed: the balancer saw a 503, not a refused connection
    expect(notReadyAt).toBeGreaterThanOrEqual(signalledAt);
    expect(notReadyAt - signalledAt).toBeLessThan(1000);
    // every request sent, including those sent after SIGTERM, got its normal answer
    const lost = shots.filter((s) => (s.target === 'admin-db' ? s.status !== 401 : s.status !== 200));
    expect({ lost, report }).toEqual({ lost: [], report });
    expect(shots.filter((s) => s.startedAt >= signalledAt).length).toBeGreaterThan(0);
    expect(shots.length).toBeGreaterThan(400);
  }, 120_000);
});

// A POST whose JSON body trickles in over `overMs`.
function slowPost(url: string, body: unknown, overMs: number): Promise<{ status: number; endedAt: number }> {
  const bytes = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': bytes.length },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, endedAt: Date.now() }));
    });
    req.on('error', reject);
    const steps = 10;
    let sent = 0;
    const timer = setInterval(() => {
      const next = Math.ceil((bytes.length * (sent + 1)) / steps);
      req.write(bytes.subarray(Math.ceil((bytes.length * sent) / steps), next));
      sent += 1;
      if (sent === steps) {
        clearInterval(timer);
        req.end();
      }
    }, overMs / steps);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
