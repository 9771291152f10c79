import 'reflect-metadata';
import { createBenchDatabase, ROOT, startReadyProcess } from '../support/bench-env';
import { seedGrant } from '../support/seed-grant';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EVENT_LOOP_RESOLUTION_MS } from '@app/observability';
import { sample } from '../../test/utils/prometheus';

// Soak (PERFORMANCE P5): a steady rate through the real relay process for a long
// time, sampling the relay's own /metrics (RSS, heap, event-loop delay) as it
// goes, and comparing the start with the end. Not part of CI.
//
//   npm run bench -- soak                                   # 10 min at 500 req/s
//   npm run bench -- soak --duration 60 --rate 200 --sample 10
//
// Event-loop delay comes from prom-client's monitor, which restarts at every
// scrape: each sample covers the time since the previous one. Its readings
// include the monitor's 10 ms timer period, which is taken off here.
const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '600' },
    rate: { type: 'string', default: '500' },
    sample: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '10' },
    connections: { type: 'string', default: '16' },
    'stub-latency': { type: 'string', default: '0' },
    'database-url': {
      type: 'string',
      default: process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
  },
});
const DURATION = Number(args.duration);
const RATE = Number(args.rate);
const SAMPLE = Number(args.sample);
const WARMUP = Number(args.warmup);
const ADMIN_URL = String(args['database-url']);
const TARGET = '/1.0/domain/zone/example.com/record';

interface Point {
  at: number;
  rssMb: number;
  heapMb: number;
  eldP50Ms: number;
  eldP99Ms: number;
  eldMaxMs: number;
  requests: number;
}

function start(file: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  return startReadyProcess(join(ROOT, file), env);
}

const delay = (seconds: number) => Math.max(0, seconds * 1000 - EVENT_LOOP_RESOLUTION_MS);

async function scrape(relayUrl: string, t0: number): Promise<Point> {
  const text = await (await fetch(`${relayUrl}/metrics`)).text();
  const v = (name: string, labels: Record<string, string> = {}) => sample(text, name, labels) ?? NaN;
  const requests = text
    .split('\n')
    .filter((l) => l.startsWith('broker_http_requests_total{') && l.includes('route="/1.0/*"'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
  return {
    at: Math.round((Date.now() - t0) / 1000),
    rssMb: v('process_resident_memory_bytes') / 2 ** 20,
    heapMb: v('nodejs_heap_size_used_bytes') / 2 ** 20,
    eldP50Ms: delay(v('nodejs_eventloop_lag_p50_seconds')),
    eldP99Ms: delay(v('nodejs_eventloop_lag_p99_seconds')),
    eldMaxMs: delay(v('nodejs_eventloop_lag_max_seconds')),
    requests,
  };
}

// autocannon in its own process, paced at `rate` in total over `connections`.
function load(url: string, token: string, seconds: number): Promise<Record<string, unknown>> {
  const bin = join(ROOT, 'node_modules', '.bin', 'autocannon');
  const child = spawn(
    bin,
    [
      '-j',
      '-c',
      String(args.connections),
      '-d',
      String(seconds),
      '--overallRate',
      String(RATE),
      '-H',
      `Authorization=Bearer ${token}`,
      url,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as Record<string, unknown>)
        : reject(new Error(`autocannon ${code}`)),
    ),
  );
}

const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');

async function main(): Promise<void> {
  const db = await createBenchDatabase(ADMIN_URL, 'broker_soak');
  const databaseUrl = db.url;
  const masterKey = randomBytes(32).toString('base64');
  const children: ChildProcess[] = [];
  try {
    const stub = await start('bench/relay/stub.ts', { STUB_LATENCY_MS: String(args['stub-latency']) });
    children.push(stub.child);
    const token = await seedGrant(databaseUrl, `http://127.0.0.1:${stub.port}`, masterKey, 'soak');
    const relay = await start('bench/relay/relay-process.ts', {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      MASTER_KEY: masterKey,
      JOBS_ENABLED: 'false',
      RELAY_CK_RATE_LIMIT_PER_MINUTE: '10000000',
    });
    children.push(relay.child);
    const relayUrl = `http://127.0.0.1:${relay.port}`;

    console.log(
      `Soak: ${RATE} req/s for ${DURATION} s through the relay (warm-up ${WARMUP} s, sample every ${SAMPLE} s)`,
    );
    if (WARMUP > 0) await load(`${relayUrl}${TARGET}`, token, WARMUP);
    const t0 = Date.now();
    await scrape(relayUrl, t0); // restarts the event-loop window
    const points: Point[] = [];
    const running = load(`${relayUrl}${TARGET}`, token, DURATION);
    let finished = false;
    void running.finally(() => (finished = true));
    console.log('| t (s) | RSS MB | heap MB | ELD p50 ms | ELD p99 ms | ELD max ms | relayed |');
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    while (!finished) {
      await new Promise((r) => setTimeout(r, Math.min(SAMPLE, DURATION) * 1000));
      const p = await scrape(relayUrl, t0);
      points.push(p);
      console.log(
        `| ${p.at} | ${f(p.rssMb)} | ${f(p.heapMb)} | ${f(p.eldP50Ms, 2)} | ${f(p.eldP99Ms, 2)} | ${f(p.eldMaxMs, 2)} | ${p.requests} |`,
      );
    }
    const result = (await running) as {
      requests: { average: number; total: number };
      latency: Record<string, number>;
      errors: number;
      non2xx: number;
    };
    const first = points[0];
    const last = points[points.length - 1];
    const growth = ((last.rssMb - first.rssMb) / first.rssMb) * 100;
    const worstEld = Math.max(...points.map((p) => p.eldP99Ms));
    console.log(
      `\nLoad: ${result.requests.total} requests, ${f(result.requests.average, 0)} req/s, ` +
        `latency p50 ${result.latency.p50} ms / p99 ${result.latency.p99} ms, errors ${result.errors}, non-2xx ${result.non2xx}`,
    );
    console.log(
      `RSS ${f(first.rssMb)} MB at the start (t=${first.at} s) → ${f(last.rssMb)} MB at the end (t=${last.at} s): ` +
        `${f(growth)} % (P5 target ≤ 10 % over 1 h)`,
    );
    console.log(
      `Event-loop delay p99: ${f(first.eldP99Ms, 2)} ms at the start, ${f(last.eldP99Ms, 2)} ms at the end, ` +
        `worst window ${f(worstEld, 2)} ms (P5 target ≤ 20 ms)`,
    );
    const ok = growth <= 10 && worstEld <= 20 && result.errors === 0 && result.non2xx === 0;
    console.log(ok ? '\nP5: pass' : '\nP5: FAIL');
    process.exitCode = ok ? 0 : 1;
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    await db.drop().catch(() => undefined);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
