import request from 'supertest';
import { createTestApp, TestApp } from '../../utils/create-app';
import { bearer, createOperator } from '../../utils/auth';

describe('admin API login, refresh and logout', () => {
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    t = await createTestApp('admin-api', { LOGIN_MAX_FAILURES: '3', LOGIN_MAX_FAILURES_PER_IP: '1000' });
  });
  afterAll(() => t.close());

  it('logs in and reaches /me with the access token', async () => {
    const op = await createOperator(t.app, { role: 'operator' });
    const me = await http().get('/api/v1/me').set(bearer(op.token)).expect(200);
    expect(me.body).toMatchObject({
      id: op.operatorId,
      email: op.email,
      role: 'operator',
      authenticatedAs: 'operator',
    });
    expect(op.token).toMatch(/^oba_/);
    expect(op.refreshToken).toMatch(/^obr_/);
  });

  it('refuses a request without a token, with a wrong prefix or with a made-up token', async () => {
    for (const auth of [undefined, 'Bearer nope', 'Bearer oba_madeup', 'Basic abc']) {
      const req = http().get('/api/v1/me');
      if (auth) req.set('Authorization', auth);
      const res = await req.expect(401);
      expect(res.body.code).toBe('AUTH_INVALID_TOKEN');
    }
  });

  it('keeps /health public', async () => {
    await http().get('/health/live').expect(200);
  });
});
