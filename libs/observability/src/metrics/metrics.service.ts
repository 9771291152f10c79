import { Inject, Injectable, Optional } from '@nestjs/common';
import { MemoTable } from '@app/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CachedSource } from './cached-source';
import { LabelGuard, methodLabel, statusClass } from './label-guard';

export const METRICS_OPTIONS = Symbol('METRICS_OPTIONS');

export interface MetricsOptions {
  // "admin-api", "relay", "cli": the `app` label on every series.
  app: string;
  // process_* and nodejs_* metrics (memory, CPU, event-loop lag, GC). Default true.
  defaultMetrics?: boolean;
  // Path prefixes served outside Nest's router, each counted as one route
  // "<prefix>/*" (the relay: ['/1.0', '/v1', '/v2']).
  pathGroups?: string[];
}

export type BreakerState = 'closed' | 'half_open' | 'open';
export const BREAKER_STATE_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

// An upstream answer's HTTP status, or how the call failed without one.
export type UpstreamOutcome = number | 'error' | 'timeout';

export interface CollectedGaugeSpec<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  // how long a loaded value is reused (default 5 s)
  ttlMs?: number;
}

export type GaugeSample<L extends string> = { labels: Record<L, string>; value: number };

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300];
const COLLECT_TIMEOUT_MS = 1000;
// nodejs_eventloop_lag_* are sampled by a timer of this period and include it:
// an idle loop reads about this much; the excess is the real delay.
export const EVENT_LOOP_RESOLUTION_MS = 10;

type CounterChild = ReturnType<Counter['labels']>;
type HistogramChild = ReturnType<Histogram['labels']>;

// One registry per app instance (the admin API and the relay can share a
// process, each with its own /metrics). Every helper bounds its labels, so no
// caller can blow up cardinality or put free text (or a secret) in a label.
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly app: string;

  private readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status_class'>;
  private readonly upstreamCalls: Counter<'upstream_host' | 'status'>;
  private readonly upstreamDuration: Histogram<'upstream_host' | 'status_class'>;
  private readonly rateLimitRefusals: Counter<'scope'>;
  private readonly breaker: Gauge<'upstream_host'>;
  private readonly breakerTransitions: Counter<'upstream_host' | 'state'>;
  private readonly jobRuns: Counter<'job' | 'outcome'>;
  private readonly jobDuration: Histogram<'job'>;
  private readonly webhookFailures: Counter<'reason'>;
  private readonly webhookDeliveries: Counter<'outcome'>;
  private readonly collectFailures: Counter<'collector'>;

  // Bound children of the per-request series: prom-client hashes a label object on every
  // inc/observe, four times per relayed call otherwise.
  private readonly httpSeries = new MemoTable<{ count: CounterChild; duration: HistogramChild }>(2000);
  private readonly upstreamSeries = new MemoTable<{ count: CounterChild; duration: HistogramChild }>(2000);
  private readonly routes = new LabelGuard(300);
  private readonly hosts = new LabelGuard(32);
  private readonly scopes = new LabelGuard(32);
  private readonly jobs = new LabelGuard(64);
  private readonly reasons = new LabelGuard(32);
  private readonly collectedNames = new Set<string>();

  constructor(@Optional() @Inject(METRICS_OPTIONS) options?: MetricsOptions) {
    this.app = options?.app ?? 'broker';
    this.registry.setDefaultLabels({ app: this.app });
    if (options?.defaultMetrics !== false) {
      collectDefaultMetrics({
        register: this.registry,
        eventLoopMonitoringPrecision: EVENT_LOOP_RESOLUTION_MS,
      });
    }
    const registers = [this.registry];
    this.httpRequests = new Counter({
      name: 'broker_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status code',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'broker_http_request_duration_seconds',
      help: 'HTTP request latency, by method, route template and status class',
      labelNames: ['method', 'route', 'status_class'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.upstreamCalls = new Counter({
      name: 'broker_relay_upstream_calls_total',
      help: 'Calls the relay forwarded to an OVHcloud endpoint, by upstream host and status (or error/timeout)',
      labelNames: ['upstream_host', 'status'],
      registers,
    });
    this.upstreamDuration = new Histogram({
      name: 'broker_relay_upstream_duration_seconds',
      help: 'Upstream call latency as seen by the relay',
      labelNames: ['upstream_host', 'status_class'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.rateLimitRefusals = new Counter({
      name: 'broker_rate_limit_refusals_total',
      help: 'Requests refused by a rate limit (429), by limit scope',
      labelNames: ['scope'],
      registers,
    });
    this.breaker = new Gauge({
      name: 'broker_circuit_breaker_state',
      help: 'Circuit breaker state per upstream host: 0 closed, 1 half-open, 2 open',
      labelNames: ['upstream_host'],
      registers,
    });
    this.breakerTransitions = new Counter({
      name: 'broker_circuit_breaker_transitions_total',
      help: 'Circuit breaker state changes per upstream host, by the state entered',
      labelNames: ['upstream_host', 'state'],
      registers,
    });
    this.jobRuns = new Counter({
      name: 'broker_job_runs_total',
      help: 'Background job runs in this instance, by job and outcome (ok, failed)',
      labelNames: ['job', 'outcome'],
      registers,
    });
    this.jobDuration = new Histogram({
      name: 'broker_job_duration_seconds',
      help: 'Background job run duration',
      labelNames: ['job'],
      buckets: JOB_BUCKETS,
      registers,
    });
    this.webhookFailures = new Counter({
      name: 'broker_webhook_failures_total',
      help: 'Failed webhook delivery attempts, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.webhookDeliveries = new Counter({
      name: 'broker_webhook_deliveries_total',
      help: 'Webhook delivery attempts, by outcome (ok, failed)',
      labelNames: ['outcome'],
      registers,
    });
    this.collectFailures = new Counter({
      name: 'broker_metrics_collect_failures_total',
      help: 'Scrape-time collectors that failed or timed out (the last good value was kept)',
      labelNames: ['collector'],
      registers,
    });
  }

  // Called by the HTTP middleware with the route template, never the raw URL.
  httpRequest(method: string | undefined, route: string, status: number, durationMs: number): void {
    const m = methodLabel(method);
    const r = this.routes.value(route);
    const series = this.httpSeries.get(`${m} ${r} ${status}`, () => ({
      count: this.httpRequests.labels({ method: m, route: r, status: String(status) }),
      duration: this.httpDuration.labels({ method: m, route: r, status_class: statusClass(status) }),
    }));
    series.count.inc();
    series.duration.observe(durationMs / 1000);
  }

  relayCall(status: UpstreamOutcome, upstreamHost: string, durationMs?: number): void {
    const host = this.hosts.value(upstreamHost);
    const label = typeof status === 'number' ? String(Math.trunc(status)) : status;
    const series = this.upstreamSeries.get(`${host} ${label}`, () => ({
      count: this.upstreamCalls.labels({ upstream_host: host, status: label }),
      duration: this.upstreamDuration.labels({
        upstream_host: host,
        status_class: typeof status === 'number' ? statusClass(status) : status,
      }),
    }));
    series.count.inc();
    if (durationMs !== undefined) series.duration.observe(durationMs / 1000);
  }

  // scope: which limit refused, e.g. "grant", "account", "ip", "login".
  rateLimitRefused(scope: string): void {
    this.rateLimitRefusals.inc({ scope: this.scopes.value(scope) });
  }

  breakerState(upstreamHost: string, state: BreakerState): void {
    const host = this.hosts.value(upstreamHost);
    this.breaker.set({ upstream_host: host }, BREAKER_STATE_VALUE[state]);
    this.breakerTransitions.inc({ upstream_host: host, state });
  }

  jobRun(name: string, ok: boolean, durationMs: number): void {
    const job = this.jobs.value(name);
    this.jobRuns.inc({ job, outcome: ok ? 'ok' : 'failed' });
    this.jobDuration.observe({ job }, durationMs / 1000);
  }

  // reason: a short category such as "timeout", "network", "http_5xx", "http_4xx", "blocked".
  webhookFailure(reason = 'delivery'): void {
    this.webhookFailures.inc({ reason: this.reasons.value(reason) });
    this.webhookDeliveries.inc({ outcome: 'failed' });
  }

  webhookDelivered(): void {
    this.webhookDeliveries.inc({ outcome: 'ok' });
  }

  // Consumer keys per state across the whole deployment, read on scrape (cached a few seconds).
  consumerKeysByState(load: () => Promise<Record<string, number>>, ttlMs = 5000): void {
    const states = new LabelGuard(32);
    this.collectGauge(
      { name: 'broker_consumer_keys', help: 'Consumer keys by state', labelNames: ['state'], ttlMs },
      async () =>
        Object.entries(await load()).map(([state, value]) => ({
          labels: { state: states.value(state) },
          value,
        })),
    );
  }

  // A gauge whose samples are loaded at scrape time (cached for ttlMs, 1 s timeout,
  // last good values kept on failure). Label values pass through a LabelGuard.
  collectGauge<L extends string>(spec: CollectedGaugeSpec<L>, load: () => Promise<GaugeSample<L>[]>): void {
    if (this.collectedNames.has(spec.name)) throw new Error(`Metric ${spec.name} is already collected`);
    this.collectedNames.add(spec.name);
    const guard = new LabelGuard(256);
    const source = new CachedSource(load, spec.ttlMs ?? 5000, COLLECT_TIMEOUT_MS, () =>
      this.collectFailures.inc({ collector: spec.name }),
    );
    new Gauge<L>({
      name: spec.name,
      help: spec.help,
      labelNames: spec.labelNames,
      registers: [this.registry],
      async collect() {
        const samples = await source.get();
        if (!samples) return;
        this.reset();
        for (const s of samples) {
          const labels = {} as Record<L, string>;
          for (const name of spec.labelNames) labels[name] = guard.value(s.labels[name]);
          this.set(labels, s.value);
        }
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
