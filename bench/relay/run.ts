import 'reflect-metadata';
import { buildBenchProcesses, createBenchDatabase, ROOT, startReadyProcess } from '../support/bench-env';
import { seedGrant } from '../support/seed-grant';
import { type ChildProcess, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

// One run, on this machine: an upstream stub, a bare Node proxy (the floor) and the relay, each
// in its own process, driven by autocannon (its own process too). Measures added latency at a
// fixed 500 req/s and maximum throughput. See docs/benchmarks.md ("Relay").

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
// PERFORMANCE.md P4: a constant 5,000 req/s through the relay, for BENCH_SUSTAIN_SECONDS (the
// target says 5 minutes: 300); 0 skips it.
const SUSTAIN_SECONDS = Number(process.env.BENCH_SUSTAIN_SECONDS ?? 0);
const SUSTAIN_RATE = Number(process.env.BENCH_SUSTAIN_RATE ?? 5000);
const RATE = Number(process.env.BENCH_RATE ?? 500);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TARGET = '/1.0/domain/zone/example.com/record';
const run = promisify(execFile);

interface Sample {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  errors: number;
  non2xx: number;
}

// As in PERFORMANCE.md's baseline: the proxies under test (bare and relay) on the last core, the
// stub and the load generator on core 0. BENCH_PIN=0 turns it off.
const PIN = process.env.BENCH_PIN !== '0' && cpus().length >= 2 && existsSync('/usr/bin/taskset');
const PROXY_CPU = String(cpus().length - 1);
function pinned(cpu: string, command: string, args: string[]): [string, string[]] {
  return PIN ? ['/usr/bin/taskset', ['-c', cpu, command, ...args]] : [command, args];
}

const RELAY_NODE_FLAGS = '--max-semi-space-size=32 --heap-growing-percent=100';
// V8's concurrent and parallel GC threads need a core of their own; on one core they take turns
// with the event loop and stretch the pauses they were meant to hide.
const ONE_CPU_NODE_FLAGS = '--single-threaded-gc';

function start(file: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  return startReadyProcess(join(__dirname, file), env, {
    prefix: PIN ? ['/usr/bin/taskset', '-c', file === 'stub.ts' ? '0' : PROXY_CPU] : [],
    nodeArgs: [
      // both proxies run with the relay's Node flags of production (Dockerfile, npm start), plus,
      // when pinned to one core, the one recommended for a one-CPU relay (docs/operations.md)
      ...(file === 'stub.ts' ? [] : [...RELAY_NODE_FLAGS.split(' '), ...(PIN ? [ONE_CPU_NODE_FLAGS] : [])]),
      ...(process.env.BENCH_PROFILE && file !== 'stub.ts'
        ? ['--cpu-prof', `--cpu-prof-dir=/tmp/${file.replace('.ts', '')}-prof`]
        : []),
      ...(process.env.BENCH_NODE_ARGS && file === 'relay-process.ts'
        ? process.env.BENCH_NODE_ARGS.split(' ').filter(Boolean)
        : []),
    ],
  });
}

async function autocannon(url: string, args: string[], headers: string[] = []): Promise<Sample> {
  const bin = join(ROOT, 'node_modules', '.bin', 'autocannon');
  const [command, argv] = pinned('0', bin, ['-j', ...args, ...headers.flatMap((h) => ['-H', h]), url]);
  const { stdout } = await run(command, argv, { maxBuffer: 64 * 1024 * 1024 });
  const r = JSON.parse(stdout) as {
    latency: Record<string, number>;
    requests: { average: number };
    errors: number;
    non2xx: number;
  };
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    p999: r.latency.p99_9 ?? r.latency.p999 ?? NaN,
    errors: r.errors,
    non2xx: r.non2xx,
  };
}

// Latency at a constant rate, open loop (bench/relay/open-loop.ts, compiled, on core 0).
async function openLoop(
  url: string,
  headers: string[],
  load = { rate: RATE, seconds: SECONDS, connections: 32 },
): Promise<Sample> {
  buildBenchProcesses();
  const script = join(ROOT, 'dist', 'bench', 'relay', 'open-loop.js');
  const [command, argv] = pinned('0', process.execPath, [
    script,
    url,
    String(load.rate),
    String(load.seconds),
    String(WARMUP),
    String(load.connections),
    ...headers.map((h) => h.replace('=', ': ')),
  ]);
  const { stdout } = await run(command, argv, { maxBuffer: 1024 * 1024 });
  const r = JSON.parse(stdout) as Sample & { rate: number };
  return { ...r, rps: r.rate };
}

// CPU seconds (user + system) each of these processes has used so far, from /proc (Linux only).
const CLOCK_TICKS = 100;
function cpuSeconds(pids: number[]): Map<number, number> {
  const used = new Map<number, number>();
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      used.set(pid, (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS);
    } catch {
      // gone, or not Linux
    }
  }
  return used;
}

// CPU used between two readings by the processes alive at both.
function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) {
    const start = before.get(pid);
    if (start !== undefined) total += seconds - start;
  }
  return total;
}

// Every PostgreSQL process on this machine: the audit inserts' cost lands in one backend, the
// WAL writer and checkpointer, so all of them are counted.
function postgresPids(): number[] {
  if (!existsSync('/proc')) return [];
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'postgres';
      } catch {
        return false;
      }
    })
    .map(Number);
}

// With pinning, the PostgreSQL backends serving the bench database (the relay's audit inserts)
// go to core 0 as well: in production the database runs on a host of its own, not on the relay's
// core. Only those backends are moved (the pool opens them lazily, so this runs before each
// measurement); the server's shared processes (WAL writer, checkpointer) stay where they are.
async function pinDatabaseBackends(databaseUrl: string): Promise<void> {
  if (!PIN) return;
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = $1',
      [new URL(databaseUrl).pathname.slice(1)],
    );
    for (const { pid } of rows)
      await run('/usr/bin/taskset', ['-pc', '0', String(pid)]).catch(() => undefined);
  } finally {
    await client.end();
  }
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');

function printLatencyTable(samples: Record<string, Sample>): void {
  console.log('| path | req/s | p50 | p90 | p99 | p99.9 | errors | non-2xx |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [name, s] of Object.entries(samples)) {
    console.log(
      `| ${name} | ${s.rps.toFixed(0)} | ${fmt(s.p50)} | ${fmt(s.p90)} | ${fmt(s.p99)} | ${fmt(s.p999)} | ${s.errors} | ${s.non2xx} |`,
    );
  }
}

async function main(): Promise<void> {
  const db = await createBenchDatabase(ADMIN_URL, 'broker_bench');
  const databaseUrl = db.url;
  const masterKey = randomBytes(32).toString('base64');
  const children: ChildProcess[] = [];
  try {
    const stub = await start('stub.ts', {});
    children.push(stub.child);
    const stubUrl = `http://127.0.0.1:${stub.port}`;
    const token = await seedGrant(databaseUrl, stubUrl, masterKey, 'bench');

    const bare = await start('bare-proxy.ts', { UPSTREAM_PORT: String(stub.port) });
    children.push(bare.child);
    const relay = await start('relay-process.ts', {
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      MASTER_KEY: masterKey,
      JOBS_ENABLED: 'false',
      RELAY_CK_RATE_LIMIT_PER_MINUTE: '10000000',
      // one account behind every connection: the per-account bulkhead must not refuse the load
      RELAY_MAX_INFLIGHT_PER_ACCOUNT: '100000',
    });
    children.push(relay.child);

    const targets = {
      direct: { url: `${stubUrl}${TARGET}`, headers: [] as string[] },
      bare: { url: `http://127.0.0.1:${bare.port}${TARGET}`, headers: [] as string[] },
      relay: { url: `http://127.0.0.1:${relay.port}${TARGET}`, headers: [`Authorization=Bearer ${token}`] },
    };
    for (const t of Object.values(targets)) await autocannon(t.url, ['-c', '16', '-d', '3'], t.headers);

    const latency: Record<string, Sample> = {};
    const throughput: Record<string, Sample> = {};
    const cpuPerCall: Record<string, { proxy: number; postgres: number }> = {};
    const proxyPid: Record<string, number[]> = {
      direct: [],
      bare: bare.child.pid ? [bare.child.pid] : [],
      relay: relay.child.pid ? [relay.child.pid] : [],
    };
    for (const [name, t] of Object.entries(targets)) {
      await pinDatabaseBackends(databaseUrl);
      latency[name] = await openLoop(t.url, t.headers);
    }
    for (const [name, t] of Object.entries(targets)) {
      await autocannon(t.url, ['-c', String(CONNECTIONS), '-d', String(WARMUP)], t.headers);
      await pinDatabaseBackends(databaseUrl);
      const pg = postgresPids();
      const before = { proxy: cpuSeconds(proxyPid[name]), postgres: cpuSeconds(pg) };
      throughput[name] = await autocannon(
        t.url,
        ['-c', String(CONNECTIONS), '-d', String(SECONDS)],
        t.headers,
      );
      const calls = throughput[name].rps * SECONDS;
      cpuPerCall[name] = {
        proxy: (cpuBetween(before.proxy, cpuSeconds(proxyPid[name])) / calls) * 1e6,
        postgres: (cpuBetween(before.postgres, cpuSeconds(pg)) / calls) * 1e6,
      };
    }

    console.log(
      `\nCPU pinning: ${PIN ? `bare proxy and relay on core ${PROXY_CPU}; stub, load generators and the bench database's PostgreSQL backends on core 0` : 'off'}`,
    );
    console.log(
      `Proxy Node flags: ${[RELAY_NODE_FLAGS, ...(PIN ? [ONE_CPU_NODE_FLAGS] : []), process.env.BENCH_NODE_ARGS ?? ''].join(' ').trim()}`,
    );
    console.log(`\nRelay benchmark: ${SECONDS} s per measurement, stub answers 1.2 KB JSON with no delay`);
    console.log(
      `\nLatency at ${RATE} req/s (open loop, ${WARMUP} s warm-up, measured from each request's due time), ms:`,
    );
    printLatencyTable(latency);
    const added = (k: 'p50' | 'p99' | 'p999') => latency.relay[k] - latency.direct[k];
    console.log(
      `\nRelay adds ${fmt(added('p50'))} ms at p50 (target ≤ 1), ${fmt(added('p99'))} ms at p99 (target ≤ 3) ` +
        `and ${fmt(added('p999'))} ms at p99.9 (target ≤ 10) over direct.`,
    );
    console.log(`\nMaximum throughput (${CONNECTIONS} connections, closed loop):`);
    console.log(
      '| path | req/s | p50 ms | p99 ms | errors | non-2xx | proxy CPU µs/call | PostgreSQL CPU µs/call |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const [name, s] of Object.entries(throughput)) {
      const cpu = cpuPerCall[name];
      console.log(
        `| ${name} | ${s.rps.toFixed(0)} | ${fmt(s.p50)} | ${fmt(s.p99)} | ${s.errors} | ${s.non2xx} | ` +
          `${name === 'direct' ? '-' : cpu.proxy.toFixed(0)} | ${cpu.postgres.toFixed(0)} |`,
      );
    }
    const ratio = (a: string, b: string) => throughput[a].rps / throughput[b].rps;
    console.log(
      `\nRatios: relay/direct ${fmt(ratio('relay', 'direct'))}, relay/bare ${fmt(ratio('relay', 'bare'))} (target ≥ 0.5), ` +
        `bare/direct ${fmt(ratio('bare', 'direct'))}; relay ${throughput.relay.rps.toFixed(0)} req/s (target ≥ 5000).`,
    );
    const sustained: Record<string, Sample> = {};
    if (SUSTAIN_SECONDS > 0) {
      for (const name of ['direct', 'relay'] as const) {
        const t = targets[name];
        await pinDatabaseBackends(databaseUrl);
        sustained[`${name} (sustained)`] = await openLoop(t.url, t.headers, {
          rate: SUSTAIN_RATE,
          seconds: SUSTAIN_SECONDS,
          connections: CONNECTIONS,
        });
      }
      console.log(`\nSustained ${SUSTAIN_RATE} req/s for ${SUSTAIN_SECONDS} s (open loop), ms:`);
      printLatencyTable(sustained);
      const [direct, relayed] = Object.values(sustained);
      console.log(
        `\nAt ${SUSTAIN_RATE} req/s the relay adds ${fmt(relayed.p99 - direct.p99)} ms at p99 (target ≤ 10, 0 errors).`,
      );
    }
    const refused = Object.entries({ ...latency, ...throughput, ...sustained }).filter(
      ([, s]) => s.errors > 0 || s.non2xx > 0,
    );
    if (refused.length > 0) {
      // a refusal is answered faster than a relayed call: such a run measures nothing
      console.log(`\nINVALID RUN: errors or non-2xx answers in ${refused.map(([n]) => n).join(', ')}.`);
      process.exitCode = 1;
    }
  } finally {
    for (const child of children) child.kill('SIGTERM');
    // room for the relay to flush its audit buffer (and, with BENCH_PROFILE, write its profile)
    await new Promise((r) => setTimeout(r, process.env.BENCH_PROFILE ? 5000 : 1000));
    await db.drop().catch(() => undefined);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
