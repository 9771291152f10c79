import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ConsumerKeysService } from '@app/consumer-keys';
import { JobRunner } from '@app/jobs';
import { NotificationsService, WEBHOOK_DELIVERY_JOB } from '@app/notifications';
import { MetricsService } from '@app/observability';
import { createTestApp, TestApp } from '../../utils/create-app';
import { sample } from '../../utils/prometheus';
import { EMULATOR_APP, type RunningEmulator, startTestEmulator } from '../../utils/start-emulator';
import { adminViewer, delegatedAccount, SYSTEM_CTX } from '../../integration/grants/grant-fixtures';
import { CK_RULES, type RelayHarness, type RelayInstance, startRelayHarness } from '../relay/relay-harness';

describe.each(['admin-api', 'relay'] as const)('%s /metrics', (which) => {
  let t: TestApp;
  let jobsTable = false;
  beforeAll(async () => {
    t = await createTestApp(which, { METRICS_TOKEN: '' });
    // before the first scrape, which caches job lag for a few seconds
    const ds = t.app.get(DataSource);
    const [{ present }] = (await ds.query(`SELECT to_regclass('job_runs') IS NOT NULL AS present`)) as Array<{
      present: boolean;
    }>;
    jobsTable = present;
    if (!present) return;
    await ds.query(
      `INSERT INTO job_runs (name, last_started_at, last_finished_at, last_succeeded_at, runs)
         VALUES ('ops.test', now() - interval '91 seconds', now() - interval '90 seconds', now() - interval '90 seconds', 1)`,
    );
  });
  afterAll(() => t.close());

  it('is served without operator auth, with process, event-loop and pool metrics', async () => {
    const res = await request(t.app.getHttpServer()).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
    expect(sample(res.text, 'process_resident_memory_bytes', { app: which })).toBeGreaterThan(0);
    expect(sample(res.text, 'nodejs_eventloop_lag_p99_seconds', { app: which })).toBeGreaterThanOrEqual(0);
    expect(sample(res.text, 'broker_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
  });

  it('reports each readiness check as a gauge', async () => {
    const { text } = await request(t.app.getHttpServer()).get('/metrics').expect(200);
    expect(sample(text, 'broker_readiness_check', { check: 'database', app: which })).toBe(1);
    expect(sample(text, 'broker_readiness_check', { check: 'migrations' })).toBe(1);
  });

  it('counts requests by route template, and unknown paths under one label', async () => {
    const server = t.app.getHttpServer();
    await request(server).get('/health/live').expect(200);
    await request(server).get('/health/live').expect(200);
    await request(server).get(
      which === 'admin-api' ? '/api/v1/zz-unknown/canary-segment-31337' : '/zz-unknown/canary-segment-31337',
    );
    if (which === 'relay') {
      // the OVH API paths are served by the relay's own handler, counted per API branch
      const res = await request(server).get('/1.0/domain/zone/canary-segment-31337');
      expect(res.status).toBeGreaterThanOrEqual(400);
    }
    const { text } = await request(server).get('/metrics').expect(200);
    expect(sample(text, 'broker_http_requests_total', { route: '/health/live', status: '200' })).toBe(2);
    expect(sample(text, 'broker_http_requests_total', { route: 'unmatched' })).toBe(1);
    if (which === 'relay') {
      const relayed = text
        .split('\n')
        .filter((l) => l.startsWith('broker_http_requests_total{') && l.includes('route="/1.0/*"'));
      expect(relayed).toHaveLength(1);
    }
    expect(text).not.toContain('canary-segment');
  });

  it('shows what libs record through MetricsService', async () => {
    t.app.get(MetricsService).relayCall(502, 'eu.api.ovh.com', 40);
    const { text } = await request(t.app.getHttpServer()).get('/metrics').expect(200);
    expect(
      sample(text, 'broker_relay_upstream_calls_total', { upstream_host: 'eu.api.ovh.com', status: '502' }),
    ).toBe(1);
  });

  it('reports job lag from job_runs (any instance) once a job has succeeded', async () => {
    if (!jobsTable) return; // libs/jobs has not landed in this tree
    const { text } = await request(t.app.getHttpServer()).get('/metrics').expect(200);
    const lag = sample(text, 'broker_job_lag_seconds', { job: 'ops.test' });
    expect(lag).toBeGreaterThanOrEqual(89);
    expect(lag).toBeLessThan(120);
    expect(sample(text, 'broker_job_last_success_timestamp_seconds', { job: 'ops.test' })).toBeGreaterThan(
      1.7e9,
    );
  });
});

describe('/metrics with METRICS_TOKEN', () => {
  const token = 'canary-scrape-token-0a9f';
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('admin-api', { METRICS_TOKEN: token });
  });
  afterAll(async () => {
    await t.close();
    process.env.METRICS_TOKEN = '';
  });

  it('needs the bearer token', async () => {
    await request(t.app.getHttpServer()).get('/metrics').expect(401);
    await request(t.app.getHttpServer()).get('/metrics').set('Authorization', `Bearer ${token}`).expect(200);
  });
});

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

// Every label value on every series, to check that none is an id or a secret.
function labelValues(text: string): string[] {
  return [...text.matchAll(/^[a-zA-Z_:][\w:]*\{([^}]*)\}/gm)].flatMap((m) =>
    [...m[1].matchAll(/\w+="([^"]*)"/g)].map((l) => l[1]),
  );
}

function expectNoIdOrSecret(text: string, secrets: string[]): void {
  const values = [...new Set(labelValues(text))];
  expect(values.filter((v) => UUID.test(v))).toEqual([]);
  for (const secret of secrets) expect(text).not.toContain(secret);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('admin API metrics recorded by the libs: jobs, webhooks, consumer keys by state', () => {
  let t: TestApp;
  let emulator: RunningEmulator;
  let receivers: Server[] = [];
  let firstScrapeAt = 0;
  const scrape = async () => (await request(t.app.getHttpServer()).get('/metrics').expect(200)).text;

  const listen = async (status: number): Promise<string> => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(status).end());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    receivers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  beforeAll(async () => {
    emulator = await startTestEmulator();
    t = await createTestApp('admin-api', { JOBS_ENABLED: 'false', WEBHOOK_ALLOW_PRIVATE: 'true' });
    // consumer-key counts are cached for 5 s from this first scrape
    const text = await scrape();
    firstScrapeAt = Date.now();
    expect(sample(text, 'broker_consumer_keys', { state: 'validated' })).toBe(0);
    expect(sample(text, 'broker_consumer_keys', { state: 'pendingValidation' })).toBe(0);
  });
  afterAll(async () => {
    await t?.close();
    await emulator?.close();
    for (const server of receivers) await new Promise((r) => server.close(r));
    receivers = [];
  });

  it('counts webhook attempts by outcome and failure reason, and job runs by outcome', async () => {
    const notifications = t.app.get(NotificationsService);
    const jobs = t.app.get(JobRunner);
    const ok = await listen(204);
    const failing = await listen(500);
    // a port nobody listens on: connection refused
    const gone = await listen(204);
    await new Promise((r) => receivers.pop()?.close(r));
    const urls = [`${ok}/hook`, `${failing}/hook`, `${gone}/hook?token=canary-webhook-token-77`];
    const hooks = [];
    for (const url of urls)
      hooks.push((await notifications.createWebhook({ url, events: ['ops.*'] }, SYSTEM_CTX)).webhook);
    expect(await notifications.emit('ops.metrics_probe', { n: 1 })).toBe(3);
    expect(await jobs.runOnce(WEBHOOK_DELIVERY_JOB)).toEqual({
      status: 'done',
      summary: { delivered: 1, retrying: 2, failed: 0 },
    });
    jobs.register({
      name: 'ops.always-fails',
      intervalMs: 3_600_000,
      run: () => Promise.reject(new Error('canary-job-error-5521')),
    });
    expect((await jobs.runOnce('ops.always-fails')).status).toBe('failed');

    const text = await scrape();
    expect(sample(text, 'broker_webhook_deliveries_total', { outcome: 'ok' })).toBe(1);
    expect(sample(text, 'broker_webhook_deliveries_total', { outcome: 'failed' })).toBe(2);
    expect(sample(text, 'broker_webhook_failures_total', { reason: 'http_5xx' })).toBe(1);
    expect(sample(text, 'broker_webhook_failures_total', { reason: 'network' })).toBe(1);
    const job = (name: string, outcome: string) =>
      sample(text, 'broker_job_runs_total', { job: name, outcome });
    expect(job(WEBHOOK_DELIVERY_JOB, 'ok')).toBe(1);
    expect(job(WEBHOOK_DELIVERY_JOB, 'failed')).toBeUndefined();
    expect(job('ops.always-fails', 'failed')).toBe(1);
    expect(sample(text, 'broker_job_duration_seconds_count', { job: WEBHOOK_DELIVERY_JOB })).toBe(1);
    expectNoIdOrSecret(text, [
      'canary-webhook-token-77',
      'canary-job-error-5521',
      'whsec_',
      ...hooks.map((h) => h.id),
      ...urls,
    ]);
  });

  it('counts consumer keys by state, whole deployment, on scrape', async () => {
    const validated = await delegatedAccount(t.app, emulator, CK_RULES);
    await t.app
      .get(ConsumerKeysService)
      .request(
        adminViewer(),
        validated.accountId,
        { applicationId: validated.applicationId, presets: [{ id: 'account-identity' }] },
        undefined,
        SYSTEM_CTX,
      );
    await sleep(Math.max(0, firstScrapeAt + 5100 - Date.now()));
    const text = await scrape();
    expect(sample(text, 'broker_consumer_keys', { state: 'validated', app: 'admin-api' })).toBe(1);
    expect(sample(text, 'broker_consumer_keys', { state: 'pendingValidation' })).toBe(1);
    expect(sample(text, 'broker_consumer_keys', { state: 'revoked' })).toBe(0);
    expectNoIdOrSecret(text, [
      validated.realConsumerKey,
      validated.accountId,
      validated.consumerKeyId,
      EMULATOR_APP.applicationSecret,
    ]);
  });
});

describe('relay metrics: upstream calls, rate-limit refusals, circuit breaker', () => {
  const env = {
    RELAY_BREAKER_FAILURE_THRESHOLD: '3',
    RELAY_BREAKER_COOLDOWN_MS: '300',
    RELAY_UPSTREAM_TIMEOUT_MS: '800',
  };
  let h: RelayHarness;
  let host: string;
  const secrets: string[] = [];
  const scrape = async (instance: RelayInstance) =>
    (await request(instance.app.app.getHttpServer()).get('/metrics').expect(200)).text;
  const call = async (instance: RelayInstance, token: string) => {
    const res = await fetch(`${instance.url}/1.0/domain`, { headers: { Authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    return `${res.status}${res.headers.get('x-relay-error') ? ` ${res.headers.get('x-relay-error')}` : ''}`;
  };
  const grant = async (rateLimitPerMinute: number) => {
    const created = await h.grant({ rateLimitPerMinute });
    secrets.push(...Object.values(created.credentials), created.grant.id);
    return created.credentials.bearerToken;
  };

  beforeAll(async () => {
    h = await startRelayHarness(env);
    host = `127.0.0.1:${h.emulator.port}`;
    secrets.push(
      h.account.realConsumerKey,
      h.account.accountId,
      h.account.consumerKeyId,
      EMULATOR_APP.applicationSecret,
      EMULATOR_APP.applicationKey,
    );
  });
  afterAll(async () => {
    await h?.close();
    for (const name of [...Object.keys(env), 'RELAY_CK_RATE_LIMIT_PER_MINUTE']) delete process.env[name];
  });

  it('counts each relayed call by upstream host and status, and 429s by the limit that refused', async () => {
    const limited = await grant(2);
    expect([
      await call(h.relay, limited),
      await call(h.relay, limited),
      await call(h.relay, limited),
    ]).toEqual(['200', '200', '429 RATE_LIMITED_GRANT']);
    const second = await h.startInstance({ RELAY_CK_RATE_LIMIT_PER_MINUTE: '2' });
    const roomy = await grant(1000);
    expect([await call(second, roomy), await call(second, roomy), await call(second, roomy)]).toEqual([
      '200',
      '200',
      '429 RATE_LIMITED_CONSUMER_KEY',
    ]);

    for (const [instance, scope] of [
      [h.relay, 'grant'],
      [second, 'consumer_key'],
    ] as const) {
      const text = await scrape(instance);
      expect(sample(text, 'broker_relay_upstream_calls_total', { upstream_host: host, status: '200' })).toBe(
        2,
      );
      expect(
        sample(text, 'broker_relay_upstream_duration_seconds_count', {
          upstream_host: host,
          status_class: '2xx',
        }),
      ).toBe(2);
      expect(sample(text, 'broker_rate_limit_refusals_total', { scope, app: 'relay' })).toBe(1);
      expect(text.match(/^broker_rate_limit_refusals_total\{/gm)).toHaveLength(1);
      // the relay serves the same consumer-key gauge as the admin API
      expect(sample(text, 'broker_consumer_keys', { state: 'validated' })).toBe(1);
      expectNoIdOrSecret(text, secrets);
    }
  });

  it('counts timeouts and upstream errors, and reports the breaker opening, half-opening and closing', async () => {
    const token = await grant(1000);
    const before = await scrape(h.relay);
    const seen: string[] = [];
    h.emulator.control.addFault({ method: 'GET', pathPattern: '/1.0/domain', latencyMs: 1500, times: 1 });
    seen.push(await call(h.relay, token));
    h.emulator.control.addFault({ method: 'GET', pathPattern: '/1.0/domain', status: 503, times: 2 });
    seen.push(await call(h.relay, token), await call(h.relay, token));
    seen.push(await call(h.relay, token));
    const open = await scrape(h.relay);
    await sleep(350);
    seen.push(await call(h.relay, token));
    expect(seen).toEqual(['504 UPSTREAM_TIMEOUT', '503', '503', '503 UPSTREAM_CIRCUIT_OPEN', '200']);

    const after = await scrape(h.relay);
    const calls = (text: string, status: string) =>
      sample(text, 'broker_relay_upstream_calls_total', { upstream_host: host, status }) ?? 0;
    const delta = (status: string) => calls(after, status) - calls(before, status);
    // the call refused by the open circuit never went upstream
    expect({ timeout: delta('timeout'), 503: delta('503'), 200: delta('200') }).toEqual({
      timeout: 1,
      503: 2,
      200: 1,
    });
    expect(
      sample(after, 'broker_relay_upstream_duration_seconds_count', {
        upstream_host: host,
        status_class: 'timeout',
      }),
    ).toBe(1);
    expect(sample(open, 'broker_circuit_breaker_state', { upstream_host: host })).toBe(2);
    expect(sample(after, 'broker_circuit_breaker_state', { upstream_host: host })).toBe(0);
    for (const state of ['open', 'half_open', 'closed'])
      expect(sample(after, 'broker_circuit_breaker_transitions_total', { upstream_host: host, state })).toBe(
        1,
      );
    expectNoIdOrSecret(after, secrets);
  });
});
