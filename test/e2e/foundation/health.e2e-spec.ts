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

  it('answers an unknown route with a JSON 404 and a request id', async () => {
    const res = await request(t.app.getHttpServer()).get('/no/such/route').expect(404);
    expect(res.body).toMatchObject({ code: 'NOT_FOUND', requestId: res.headers['x-request-id'] });
  });

  it('reports not ready while shutting down', async () => {
    t.app.get(ReadinessService).markShuttingDown();
    const res = await request(t.app.getHttpServer()).get('/health/ready').expect(503);
    expect(res.body.checks.shutdown).toEqual({ ok: false, detail: 'shutting down' });
  });
});
