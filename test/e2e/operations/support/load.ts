export interface Shot {
  target: string;
  startedAt: number;
  endedAt: number;
  status: number; // 0 when no HTTP answer came back
  error?: string;
  code?: string; // the `code` of a JSON error body
}

export interface LoadTarget {
  name: string;
  url: string;
  headers?: Record<string, string>;
  method?: string;
  body?: string;
}

// Open-loop load: `rate` requests per second, spread over the targets in turn,
// whatever the answers' latency (so a slow server cannot slow the generator).
// `route()` plays a load balancer: while it returns false, nothing is sent.
export function fireLoad(
  targets: LoadTarget[],
  rate: number,
  timeoutMs = 10_000,
  route: () => boolean = () => true,
) {
  const shots: Shot[] = [];
  const inFlight = new Set<Promise<void>>();
  let i = 0;
  const shoot = (t: LoadTarget) => {
    const startedAt = Date.now();
    const p = fetch(t.url, {
      method: t.method ?? 'GET',
      headers: t.headers,
      body: t.body,
      signal: AbortSignal.timeout(timeoutMs),
    })
      .then(async (res) => {
        const text = await res.text();
        let code: string | undefined;
        try {
          code = (JSON.parse(text) as { code?: string }).code;
        } catch {
          // not JSON
        }
        shots.push({ target: t.name, startedAt, endedAt: Date.now(), status: res.status, code });
      })
      .catch((e: unknown) => {
        const err = e as Error & { cause?: { code?: string } };
        shots.push({
          target: t.name,
          startedAt,
          endedAt: Date.now(),
          status: 0,
          error: err.cause?.code ?? err.name ?? String(e),
        });
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  // paced by the clock, not by timer ticks, so a busy event loop sends late rather than less
  const begun = Date.now();
  let due = 0;
  const timer = setInterval(() => {
    const target = Math.floor(((Date.now() - begun) * rate) / 1000);
    while (due < target) {
      due += 1;
      if (route()) shoot(targets[i++ % targets.length]);
    }
  }, 10);
  return {
    shots,
    async stop(): Promise<Shot[]> {
      clearInterval(timer);
      await Promise.allSettled([...inFlight]);
      return shots;
    },
  };
}

export function summarize(shots: Shot[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of shots) {
    const key = `${s.target} ${s.status || s.error}${s.code ? ` ${s.code}` : ''}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}
