import request from 'supertest';
import { DataSource } from 'typeorm';
import { MetricsService } from '@app/observability';
import { createTestApp, TestApp } from '../../utils/create-app';
import { sample } from '../../utils/prometheus';

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
