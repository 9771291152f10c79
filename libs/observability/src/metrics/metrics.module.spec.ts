import { Controller, Get, Param, UnauthorizedException } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { CommonModule, GlobalExceptionFilter } from '@app/common';
import { BrokerConfigModule } from '@app/config';
import { MetricsModule } from './metrics.module';
import { MetricsService } from './metrics.service';

// The value of one series, whatever order its labels come in.
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

@Controller('things')
class ThingsController {
  @Get(':id')
  one(@Param('id') id: string) {
    if (id === 'locked') throw new UnauthorizedException();
    return { id };
  }
}

async function boot(env: Record<string, string | undefined> = {}): Promise<NestExpressApplication> {
  const saved = { ...process.env };
  Object.assign(process.env, { NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    const moduleRef = await Test.createTestingModule({
      imports: [BrokerConfigModule, CommonModule, MetricsModule.forRoot({ app: 'spec' })],
      controllers: [ThingsController],
      providers: [{ provide: APP_FILTER, useClass: GlobalExceptionFilter }],
    }).compile();
    const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
    await app.init();
    return app;
  } finally {
    process.env = saved;
  }
}

describe(MetricsModule.name, () => {
  describe('without METRICS_TOKEN', () => {
    let app: NestExpressApplication;
    beforeAll(async () => {
      app = await boot({ METRICS_TOKEN: undefined });
    });
    afterAll(() => app.close());

    it('serves Prometheus text with process metrics, event-loop lag and the app label', async () => {
      const res = await request(app.getHttpServer()).get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toContain('process_resident_memory_bytes{app="spec"}');
      expect(res.text).toMatch(/nodejs_eventloop_lag_p99_seconds\{app="spec"\} /);
      expect(res.text).toContain('# TYPE broker_http_requests_total counter');
    });

    it('labels requests with the route template, never the raw URL', async () => {
      const server = app.getHttpServer();
      await request(server).get('/things/canary-id-4711').expect(200);
      await request(server).get('/things/locked').expect(401);
      await request(server).get('/nothing/here/canary-path-9931?token=canary-query-1').expect(404);
      const { text } = await request(server).get('/metrics').expect(200);
      const http = (labels: Record<string, string>) => sample(text, 'broker_http_requests_total', labels);
      expect(http({ method: 'GET', route: '/things/:id', status: '200', app: 'spec' })).toBe(1);
      expect(http({ method: 'GET', route: '/things/:id', status: '401' })).toBe(1);
      expect(http({ method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
      expect(
        sample(text, 'broker_http_request_duration_seconds_count', {
          route: '/things/:id',
          status_class: '2xx',
        }),
      ).toBe(1);
      expect(text).not.toMatch(/canary/);
    });
  });

  describe('with METRICS_TOKEN', () => {
    const token = 'canary-metrics-token-5b1e';
    let app: NestExpressApplication;
    beforeAll(async () => {
      app = await boot({ METRICS_TOKEN: token });
    });
    afterAll(() => app.close());

    it('refuses a scrape without the bearer token or with a wrong one', async () => {
      const none = await request(app.getHttpServer()).get('/metrics').expect(401);
      expect(none.body).toMatchObject({ code: 'METRICS_UNAUTHENTICATED' });
      expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
      await request(app.getHttpServer()).get('/metrics').set('Authorization', 'Bearer nope').expect(401);
      await request(app.getHttpServer()).get('/metrics').set('Authorization', token).expect(401);
      const wrong = await request(app.getHttpServer())
        .get('/metrics')
        .set('Authorization', `Bearer ${token}x`)
        .expect(401);
      expect(JSON.stringify(wrong.body)).not.toContain(token);
    });

    it('serves metrics with the right token, without ever showing it', async () => {
      const res = await request(app.getHttpServer())
        .get('/metrics')
        .set('Authorization', `Bearer ${token}`)
        .expect(200);
      expect(res.text).toContain('broker_http_requests_total');
      expect(res.text).not.toContain(token);
    });
  });
});

describe(MetricsService.name, () => {
  let sut: MetricsService;
  beforeEach(() => {
    sut = new MetricsService({ app: 'unit', defaultMetrics: false });
  });

  it('counts relay calls per upstream host and status, and network failures by kind', async () => {
    sut.relayCall(200, 'eu.api.ovh.com', 12);
    sut.relayCall(200, 'eu.api.ovh.com', 8);
    sut.relayCall(503, 'eu.api.ovh.com', 3);
    sut.relayCall('timeout', 'eu.api.ovh.com', 5000);
    const text = await sut.render();
    const calls = (status: string) =>
      sample(text, 'broker_relay_upstream_calls_total', {
        upstream_host: 'eu.api.ovh.com',
        status,
        app: 'unit',
      });
    expect(calls('200')).toBe(2);
    expect(calls('503')).toBe(1);
    expect(calls('timeout')).toBe(1);
    expect(
      sample(text, 'broker_relay_upstream_duration_seconds_count', {
        upstream_host: 'eu.api.ovh.com',
        status_class: '2xx',
      }),
    ).toBe(2);
  });

  it('exposes rate-limit refusals, breaker state, job runs and webhook failures', async () => {
    sut.rateLimitRefused('grant');
    sut.rateLimitRefused('grant');
    sut.breakerState('eu.api.ovh.com', 'open');
    sut.breakerState('eu.api.ovh.com', 'half_open');
    sut.jobRun('consumer-keys.sync', true, 120);
    sut.jobRun('consumer-keys.sync', false, 30);
    sut.webhookFailure('timeout');
    sut.webhookDelivered();
    const text = await sut.render();
    const host = { upstream_host: 'eu.api.ovh.com' };
    const job = { job: 'consumer-keys.sync' };
    expect(sample(text, 'broker_rate_limit_refusals_total', { scope: 'grant' })).toBe(2);
    expect(sample(text, 'broker_circuit_breaker_state', host)).toBe(1);
    expect(sample(text, 'broker_circuit_breaker_transitions_total', { ...host, state: 'open' })).toBe(1);
    expect(sample(text, 'broker_job_runs_total', { ...job, outcome: 'ok' })).toBe(1);
    expect(sample(text, 'broker_job_runs_total', { ...job, outcome: 'failed' })).toBe(1);
    expect(sample(text, 'broker_job_duration_seconds_count', job)).toBe(2);
    expect(sample(text, 'broker_webhook_failures_total', { reason: 'timeout' })).toBe(1);
    expect(sample(text, 'broker_webhook_deliveries_total', { outcome: 'ok' })).toBe(1);
  });

  it('never lets free text into a label and caps the number of distinct values', async () => {
    sut.rateLimitRefused('Bearer canary-secret value');
    sut.rateLimitRefused('x'.repeat(200));
    for (let i = 0; i < 100; i++) sut.relayCall(200, `host-${i}.example`);
    const text = await sut.render();
    expect(text).not.toContain('canary');
    expect(sample(text, 'broker_rate_limit_refusals_total', { scope: 'other' })).toBe(2);
    const hosts = new Set([...text.matchAll(/upstream_host="([^"]+)"/g)].map((m) => m[1]));
    expect(hosts.size).toBeLessThanOrEqual(33);
    expect(hosts.has('other')).toBe(true);
  });

  it('loads consumer keys by state on scrape, caches the answer, and keeps the last value when the load fails', async () => {
    let calls = 0;
    let fail = false;
    sut.consumerKeysByState(async () => {
      calls += 1;
      if (fail) throw new Error('database down');
      return { validated: 3, pending: 1 };
    }, 0);
    expect(sample(await sut.render(), 'broker_consumer_keys', { state: 'validated' })).toBe(3);
    fail = true;
    expect(sample(await sut.render(), 'broker_consumer_keys', { state: 'pending' })).toBe(1);
    // a failure counted during one scrape shows on the next
    const text = await sut.render();
    expect(sample(text, 'broker_metrics_collect_failures_total', { collector: 'broker_consumer_keys' })).toBe(
      1,
    );
    expect(calls).toBe(3);
  });

  it('answers a scrape within about a second when a collector hangs', async () => {
    sut.consumerKeysByState(() => new Promise(() => undefined));
    const started = Date.now();
    await sut.render();
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
