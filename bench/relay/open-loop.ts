import { Pool } from 'undici';

// Open-loop load at a constant rate (PERFORMANCE.md's protocol, as wrk2 -R does): request i is
// sent at start + i / rate whether or not earlier ones have been answered, over a pool of
// connections, so a stall in the server shows up in the latency of every call it delays instead
// of slowing the generator down (coordinated omission). Latency is taken from the moment each
// request was due, with microsecond resolution. Prints one JSON line.
//
// usage: open-loop <url> <rate> <seconds> [warmupSeconds] [connections] [header: value]...

interface Result {
  rate: number;
  sent: number;
  ok: number;
  errors: number;
  non2xx: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

async function main(): Promise<void> {
  const [url, rateArg, secondsArg, warmupArg = '2', connectionsArg = '32', ...headerArgs] =
    process.argv.slice(2);
  const { origin, pathname, search } = new URL(url);
  const rate = Number(rateArg);
  const headers: Record<string, string> = {};
  for (const h of headerArgs) {
    const i = h.indexOf(':');
    headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  const pool = new Pool(origin, { connections: Number(connectionsArg), pipelining: 1 });
  const path = pathname + search;

  const run = async (seconds: number): Promise<Result> => {
    const total = Math.round(rate * seconds);
    const latencies = new Float64Array(total);
    let done = 0;
    let ok = 0;
    let errors = 0;
    let non2xx = 0;
    const start = performance.now();
    const interval = 1000 / rate;
    let next = 0;
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const settle = (i: number, due: number, failed: boolean, status: number) => {
      latencies[i] = performance.now() - due;
      if (failed) errors++;
      else if (status < 200 || status > 299) non2xx++;
      else ok++;
      if (++done === total) finish();
    };
    const send = (i: number, due: number) => {
      pool.request({ path, method: 'GET', headers }).then(
        async (res) => {
          await res.body.dump();
          settle(i, due, false, res.statusCode);
        },
        () => settle(i, due, true, 0),
      );
    };
    const tick = () => {
      const now = performance.now();
      while (next < total && start + next * interval <= now) {
        send(next, start + next * interval);
        next++;
      }
      if (next < total) setTimeout(tick, Math.max(0, start + next * interval - performance.now()));
    };
    tick();
    await finished;
    const sorted = Array.from(latencies).sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
    return {
      rate: total / ((performance.now() - start) / 1000),
      sent: total,
      ok,
      errors,
      non2xx,
      p50: at(0.5),
      p90: at(0.9),
      p99: at(0.99),
      p999: at(0.999),
      max: sorted[sorted.length - 1],
    };
  };

  await run(Number(warmupArg));
  const result = await run(Number(secondsArg));
  await pool.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
