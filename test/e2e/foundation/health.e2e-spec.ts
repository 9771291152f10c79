import request from 'supertest';
import { ReadinessService } from '@app/common';
import { createTestApp, TestApp } from '../../utils/create-app';

describe.each(['admin-api', 'relay'] as const)('%s health', (which) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(which);
  });
  afterAll(() => t.close());

  it('answers /health/live', async () => {
    await request(t.app.getHttpServer()).get('/health/live').expect(200, { status: 'ok' });
  });

  it('is ready once the database answers and every migration is applied', async () => {
    const res = await request(t.app.getHttpServer()).get('/health/ready').expect(200);
    expect(res.body.status).toBe('ready');
    expect(res.body.checks).toMatchObject({ database: { ok: true }, migrations: { ok: true } });
  });

  it('puts a request id on every response, keeping a plain one sent by the caller', async () => {
    const mine = await request(t.app.getHttpServer()).get('/health/live').set('X-Request-Id', 'trace-42');
    expect(mine.headers['x-request-id']).toBe('trace-42');
    const injected = await request(t.app.getHttpServer())
      .get('/health/live')
      .set('X-Request-Id', 'bad id with spaces <script>');
    expect(injected.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unknown route with a 404 in its own error format and a request id', async () => {
    const path = which === 'admin-api' ? '/api/v1/no/such/route' : '/no/such/route';
    const res = await request(t.app.getHttpServer()).get(path).expect(404);
    expect(res.headers['x-request-id']).toBeTruthy();
    if (which === 'admin-api')
      expect(res.body).toMatchObject({ code: 'NOT_FOUND', requestId: res.headers['x-request-id'] });
    // the relay answers like OVHcloud, so the official clients raise their usual errors
    else expect(res.body).toHaveProperty('message');
  });

  it('reports not ready while shutting down', async () => {
    t.app.get(ReadinessService).markShuttingDown();
    const res = await request(t.app.getHttpServer()).get('/health/ready').expect(503);
    expect(res.body.checks.shutdown).toEqual({ ok: false, detail: 'shutting down' });
  });
});
