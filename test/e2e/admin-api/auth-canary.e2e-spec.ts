import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { LOG_DESTINATION } from '@app/observability';
import { OperatorsService, totpGenerate } from '@app/operators';
import {
  assertNoPlaintextIn,
  assertNoPlaintextInDump,
  assertNoPlaintextInRows,
  captureProcessOutput,
  LogSink,
  type OutputCapture,
} from '../../utils/canary';
import { createTestDatabase, type TestDatabase } from '../../utils/test-database';

jest.setTimeout(120_000);

// Canary secrets of the operator side: a password (and the one it is changed
// to), the TOTP secret, recovery codes, access and refresh tokens. After a full
// round of login, 2FA, refresh, password change and failures, none may appear in
// the logs (at debug level), in any response but its one-time display, in the
// audit rows or in a pg_dump of the database.
describe('operator secrets never leak (canaries)', () => {
  let db: TestDatabase;
  let app: NestExpressApplication;
  let output: OutputCapture;
  const sink = new LogSink();
  const responses: string[] = [];
  const canaries: string[] = [];
  const password = 'canary-PW-7f3a9c1e5b2d-login';
  const newPassword = 'canary-PW-0d4e8b6a2c9f-changed';
  const email = 'canary-admin@test.example';
  const http = () => request(app.getHttpServer());
  // Keeps every response body, except the one-time displays that are the point of the call.
  const seen = (res: request.Response, oneTime = false) => {
    if (!oneTime) responses.push(res.text ?? '');
    return res;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    Object.assign(process.env, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'trace',
      DATABASE_URL: db.url,
      JOBS_ENABLED: 'false',
      LOGIN_MAX_FAILURES_PER_IP: '10000',
    });
    output = captureProcessOutput({ quiet: true });
    const { AdminApiModule } = await import('../../../apps/admin-api/src/admin-api.module');
    const { configureAdminApi } = await import('../../../apps/admin-api/src/configure-app');
    const moduleRef = await Test.createTestingModule({ imports: [AdminApiModule] })
      .overrideProvider(LOG_DESTINATION)
      .useValue(sink)
      .compile();
    app = moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true });
    configureAdminApi(app);
    await app.init();
    canaries.push(password, newPassword);
    await app
      .get(OperatorsService)
      .create(
        { email, displayName: 'Canary', role: 'admin', password },
        { actor: { type: 'system', label: 'test' } },
      );
  });

  afterAll(async () => {
    output?.restore();
    await app?.close();
    process.env.LOG_LEVEL = 'silent';
    await db?.drop();
  });

  it('runs every operator flow that handles a secret', async () => {
    // failures first: wrong password, password in a malformed body, unknown email
    seen(
      await http()
        .post('/api/v1/auth/login')
        .send({ email, password: `${password}-nope` }),
    );
    seen(await http().post('/api/v1/auth/login').send({ email: 'ghost@test.example', password }));
    seen(
      await http()
        .post('/api/v1/auth/login')
        .send({ email: ['x'], password }),
    );
    seen(
      await http()
        .post('/api/v1/setup')
        .send({ setupToken: 'obs_x', email: 'not-an-email', displayName: 'x', password }),
    );

    const first = seen(await http().post('/api/v1/auth/login').send({ email, password }).expect(200), true);
    const access = first.body.accessToken as string;
    canaries.push(access, first.body.refreshToken);
    const auth = { Authorization: `Bearer ${access}` };

    const enrol = seen(await http().post('/api/v1/auth/2fa/enrol').set(auth).expect(200), true);
    const secret = enrol.body.secret as string;
    canaries.push(secret);
    // a wrong code, then the right one
    seen(await http().post('/api/v1/auth/2fa/confirm').set(auth).send({ code: '000000' }));
    const code = await totpGenerate(secret, Math.floor(Date.now() / 1000));
    const confirm = seen(
      await http().post('/api/v1/auth/2fa/confirm').set(auth).send({ code }).expect(200),
      true,
    );
    const recoveryCodes = confirm.body.recoveryCodes as string[];
    canaries.push(...recoveryCodes);

    const second = seen(await http().post('/api/v1/auth/login').send({ email, password }).expect(200));
    seen(
      await http()
        .post('/api/v1/auth/2fa/verify')
        .send({ mfaToken: second.body.mfaToken, recoveryCode: `${recoveryCodes[1].slice(0, -1)}Z` }),
    );
    const verified = seen(
      await http()
        .post('/api/v1/auth/2fa/verify')
        .send({ mfaToken: second.body.mfaToken, recoveryCode: recoveryCodes[0] })
        .expect(200),
      true,
    );
    canaries.push(verified.body.accessToken, verified.body.refreshToken);
    const refreshed = seen(
      await http()
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: verified.body.refreshToken })
        .expect(200),
      true,
    );
    canaries.push(refreshed.body.accessToken, refreshed.body.refreshToken);
    // reuse of a spent refresh token (revokes the session), then a bogus one
    seen(await http().post('/api/v1/auth/refresh').send({ refreshToken: verified.body.refreshToken }));
    seen(
      await http()
        .post('/api/v1/auth/refresh')
        .send({ refreshToken: `${refreshed.body.refreshToken}x` }),
    );

    seen(await http().get('/api/v1/me').set(auth).expect(200));
    seen(
      await http()
        .post('/api/v1/me/password')
        .set(auth)
        .send({ currentPassword: `${password}-nope`, newPassword })
        .expect(403),
    );
    seen(
      await http()
        .post('/api/v1/me/password')
        .set(auth)
        .send({ currentPassword: password, newPassword })
        .expect(200),
    );
    const token = seen(
      await http().post('/api/v1/api-tokens').set(auth).send({ name: 'ci', expiresInDays: 1 }).expect(201),
      true,
    );
    canaries.push(token.body.token);
    seen(
      await http()
        .get('/api/v1/api-tokens')
        .set({ Authorization: `Bearer ${token.body.token}` }),
    );
    seen(await http().get('/api/v1/audit-events?limit=500').set(auth).expect(200));
    seen(await http().get('/api/v1/audit-events/export?format=ndjson').set(auth).expect(200));
    seen(await http().get('/api/v1/audit-events/export?format=csv').set(auth).expect(200));
    seen(await http().post('/api/v1/auth/logout').set(auth).expect(204));
    expect(canaries.length).toBeGreaterThan(15);
  });

  it('finds none of them in the logs', () => {
    expect(sink.lines.length).toBeGreaterThan(20);
    expect(sink.text()).toMatch(/"statusCode":401/);
    assertNoPlaintextIn('the structured log', sink.text(), canaries);
    assertNoPlaintextIn('stdout/stderr', output.text(), canaries);
  });

  it('finds none of them in responses other than their one-time display', () => {
    expect(responses.length).toBeGreaterThan(15);
    assertNoPlaintextIn('the responses', responses.join('\n'), canaries);
  });

  it('finds none of them in the audit rows, any row, or a pg_dump', async () => {
    expect(await assertNoPlaintextInRows(db.url, canaries, ['audit_events'])).toBeGreaterThan(10);
    await assertNoPlaintextInRows(db.url, canaries);
    await assertNoPlaintextInDump(db.url, canaries);
  });
});
