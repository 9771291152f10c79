import request from 'supertest';
import { DataSource } from 'typeorm';
import { Clock } from '@app/common';
import { JobRunner } from '@app/jobs';
import { OPERATORS_CLEANUP_JOB } from '@app/operators';
import { bearer, createOperator, enableTotp, login, totpCode, type TestOperator } from '../../utils/auth';
import { captureProcessOutput } from '../../utils/canary';
import { createTestApp, type TestApp } from '../../utils/create-app';
import { itOnRealPostgres } from '../../utils/engine';

jest.setTimeout(180_000);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const withoutRequestId = (b: Record<string, unknown>) => ({ ...b, requestId: undefined });

describe('first-admin setup', () => {
  let t: TestApp;
  let printed: string;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    const out = captureProcessOutput({ quiet: true });
    try {
      t = await createTestApp('admin-api', { JOBS_ENABLED: 'false', LOG_LEVEL: 'warn' });
    } finally {
      out.restore();
    }
    printed = out.text().match(/obs_[A-Za-z0-9_-]{43}/)?.[0] ?? '';
  });
  afterAll(() => t.close());

  it('prints a one-time token at start, accepts it once, then answers 409', async () => {
    expect(printed).toMatch(/^obs_/);
    const body = { email: 'first@test.example', displayName: 'First', password: 'a-long-first-password' };
    const wrong = await http()
      .post('/api/v1/setup')
      .send({ ...body, setupToken: `obs_${'A'.repeat(43)}` })
      .expect(401);
    expect(wrong.body.code).toBe('SETUP_TOKEN_INVALID');
    const weak = await http()
      .post('/api/v1/setup')
      .send({ ...body, password: 'short', setupToken: printed })
      .expect(400);
    expect(weak.body.code).toBe('VALIDATION_FAILED');

    const ok = await http()
      .post('/api/v1/setup')
      .send({ ...body, setupToken: printed })
      .expect(201);
    expect(ok.body).toMatchObject({ email: 'first@test.example', role: 'admin', status: 'active' });
    expect(JSON.stringify(ok.body)).not.toContain(body.password);

    const again = await http()
      .post('/api/v1/setup')
      .send({ ...body, email: 'second@test.example', setupToken: printed })
      .expect(409);
    expect(again.body.code).toBe('SETUP_ALREADY_COMPLETED');
    const admin = await login(t.app, body.email, body.password);
    await http().get('/api/v1/operators').set(bearer(admin.accessToken)).expect(200);
    const rows = await t.app
      .get(DataSource)
      .query(`SELECT 1 FROM settings WHERE key = 'bootstrap.setup_token'`);
    expect(rows).toHaveLength(0);
  });
});

describe('login: no user enumeration, bounded hashing, restricted sessions, password change, cleanup', () => {
  let t: TestApp;
  let admin: TestOperator;
  let offsetMs = 0;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    t = await createTestApp('admin-api', {
      JOBS_ENABLED: 'false',
      LOGIN_MAX_FAILURES: '1000',
      LOGIN_MAX_FAILURES_PER_IP: '100000',
      PASSWORD_HASH_CONCURRENCY: '1',
    });
    const clock = t.app.get(Clock);
    const real = clock.now.bind(clock);
    jest.spyOn(clock, 'now').mockImplementation(() => new Date(real().getTime() + offsetMs));
    admin = await createOperator(t.app, { role: 'admin' });
  });
  afterAll(() => t.close());
  afterEach(() => {
    offsetMs = 0;
  });

  it('answers an unknown email and a wrong password alike, in similar time', async () => {
    const op = await createOperator(t.app);
    const attempt = async (email: string) => {
      const started = process.hrtime.bigint();
      const res = await http().post('/api/v1/auth/login').send({ email, password: 'wrong-password-123' });
      return { res, ms: Number(process.hrtime.bigint() - started) / 1e6 };
    };
    const unknown = 'nobody-here@test.example';
    // warm-up: the dummy hash is computed on first use
    await attempt(unknown);
    await attempt(op.email);
    const known: number[] = [];
    const missing: number[] = [];
    for (let i = 0; i < 10; i++) {
      const a = await attempt(op.email);
      const b = await attempt(unknown);
      expect(a.res.status).toBe(401);
      expect(b.res.status).toBe(401);
      expect(withoutRequestId(a.res.body)).toEqual(withoutRequestId(b.res.body));
      expect(Object.keys(a.res.headers).sort()).toEqual(Object.keys(b.res.headers).sort());
      known.push(a.ms);
      missing.push(b.ms);
    }
    const ratio = median(known) / median(missing);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2.0);
    // Both were audited as failures, with the reason only in the audit row.
    const rows = await t.app.get(DataSource).query(
      `SELECT metadata->>'reason' AS reason, count(*)::int AS n FROM audit_events
          WHERE action = 'auth.login' AND result = 'failure' GROUP BY 1 ORDER BY 1`,
    );
    expect(rows.map((r: { reason: string }) => r.reason)).toEqual(['unknown_email', 'wrong_password']);
  });

  itOnRealPostgres(
    'sheds a login flood with 429 AUTH_BUSY instead of running unbounded hashes',
    'the embedded engine answers one statement at a time, so the logins reach the hasher one by one and its queue never fills',
    async () => {
      const op = await createOperator(t.app);
      const rssBefore = process.memoryUsage().rss;
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          http()
            .post('/api/v1/auth/login')
            .send({ email: op.email, password: i % 2 ? op.password : 'wrong-password-123' }),
        ),
      );
      const statuses = results.map((r) => r.status);
      const busy = results.filter((r) => r.status === 429);
      expect(busy.length).toBeGreaterThan(0);
      for (const r of busy) {
        expect(r.body.code).toBe('AUTH_BUSY');
        expect(r.headers['retry-after']).toBe('1');
      }
      expect(statuses.every((s) => [200, 401, 429].includes(s))).toBe(true);
      expect(statuses.filter((s) => s === 200 || s === 401).length).toBeGreaterThan(0);
      // 1 running + 4 queued hashes of 19 MiB at most: far below this bound.
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(300 * 1024 * 1024);
      // and the service is still there afterwards
      await login(t.app, op.email, op.password);
    },
  );

  it('gives operators without 2FA a session that can only enrol while the policy requires it', async () => {
    const op = await createOperator(t.app, { role: 'operator' });
    const apiToken = (
      await http()
        .post('/api/v1/api-tokens')
        .set(bearer(op.token))
        .send({ name: 'ci', expiresInDays: 1 })
        .expect(201)
    ).body.token as string;
    // An admin without a second factor may not require one from everybody.
    const refused = await http()
      .put('/api/v1/settings/security')
      .set(bearer(admin.token))
      .send({ require2fa: true })
      .expect(409);
    expect(refused.body.code).toBe('SETTINGS_ENROL_2FA_FIRST');
    const boss = await createOperator(t.app, { role: 'admin' });
    await enableTotp(t.app, boss.token);
    await http()
      .put('/api/v1/settings/security')
      .set(bearer(boss.token))
      .send({ require2fa: true })
      .expect(200);
    try {
      const res = await http()
        .post('/api/v1/auth/login')
        .send({ email: op.email, password: op.password })
        .expect(200);
      expect(res.body).toMatchObject({ mfaRequired: false, restricted: true });
      const restricted = res.body.accessToken as string;
      const me = await http().get('/api/v1/me').set(bearer(restricted)).expect(200);
      expect(me.body.restricted).toBe(true);
      for (const [method, path] of [
        ['get', '/api/v1/accounts'],
        ['get', '/api/v1/api-tokens'],
        ['post', '/api/v1/api-tokens'],
        ['get', '/api/v1/settings/security'],
        ['post', '/api/v1/me/password'],
      ] as const) {
        const refused = await http()[method](path).set(bearer(restricted)).send({});
        expect({ path, status: refused.status, code: refused.body.code }).toEqual({
          path,
          status: 403,
          code: 'AUTH_2FA_ENROLMENT_REQUIRED',
        });
      }
      // The old, unrestricted session is restricted too from now on.
      await http().get('/api/v1/accounts').set(bearer(op.token)).expect(403);
      // Existing API tokens keep working.
      await http().get('/api/v1/accounts').set(bearer(apiToken)).expect(200);

      const { secret } = await enableTotp(t.app, restricted);
      const two = await http()
        .post('/api/v1/auth/login')
        .send({ email: op.email, password: op.password })
        .expect(200);
      expect(two.body.mfaRequired).toBe(true);
      const verified = await http()
        .post('/api/v1/auth/2fa/verify')
        .send({ mfaToken: two.body.mfaToken, code: await totpCode(secret, new Date(Date.now() + 30_000)) })
        .expect(200);
      expect(verified.body.restricted).toBe(false);
      await http().get('/api/v1/accounts').set(bearer(verified.body.accessToken)).expect(200);
      // A second factor required by policy cannot be turned off.
      const off = await http()
        .post('/api/v1/auth/2fa/disable')
        .set(bearer(verified.body.accessToken))
        .send({ code: '000000' })
        .expect(403);
      expect(off.body.code).toBe('TOTP_REQUIRED_BY_POLICY');
    } finally {
      await http()
        .put('/api/v1/settings/security')
        .set(bearer(boss.token))
        .send({ require2fa: false })
        .expect(200);
    }
  });

  it('changes the password with the current one, ends the other sessions and audits it', async () => {
    const op = await createOperator(t.app, { role: 'auditor' });
    const other = await login(t.app, op.email, op.password);
    const wrong = await http()
      .post('/api/v1/me/password')
      .set(bearer(op.token))
      .send({ currentPassword: 'not-the-password', newPassword: 'a-brand-new-password' })
      .expect(403);
    expect(wrong.body.code).toBe('AUTH_CURRENT_PASSWORD_INVALID');
    const weak = await http()
      .post('/api/v1/me/password')
      .set(bearer(op.token))
      .send({ currentPassword: op.password, newPassword: 'short' })
      .expect(400);
    expect(weak.body.code).toBe('VALIDATION_FAILED');
    const ok = await http()
      .post('/api/v1/me/password')
      .set(bearer(op.token))
      .send({ currentPassword: op.password, newPassword: 'a-brand-new-password' })
      .expect(200);
    expect(ok.body).toEqual({ otherSessionsRevoked: 1 });

    await http().get('/api/v1/me').set(bearer(op.token)).expect(200);
    await http().get('/api/v1/me').set(bearer(other.accessToken)).expect(401);
    await http().post('/api/v1/auth/refresh').send({ refreshToken: other.refreshToken }).expect(401);
    await http().post('/api/v1/auth/login').send({ email: op.email, password: op.password }).expect(401);
    await login(t.app, op.email, 'a-brand-new-password');

    const token = (
      await http()
        .post('/api/v1/api-tokens')
        .set(bearer(op.token))
        .send({ name: 'x', expiresInDays: 1 })
        .expect(201)
    ).body.token as string;
    const viaToken = await http()
      .post('/api/v1/me/password')
      .set(bearer(token))
      .send({ currentPassword: 'a-brand-new-password', newPassword: 'yet-another-password' })
      .expect(403);
    expect(viaToken.body.code).toBe('AUTH_SESSION_REQUIRED');

    const rows = await t.app.get(DataSource).query(
      `SELECT result, metadata FROM audit_events WHERE action = 'operator.password_changed' AND object_id = $1
          ORDER BY seq`,
      [op.operatorId],
    );
    expect(rows.map((r: { result: string }) => r.result)).toEqual(['failure', 'success']);
    expect(JSON.stringify(rows)).not.toContain('a-brand-new-password');
  });

  it('cleans up ended sessions, tokens and 2FA challenges with the operators.cleanup job', async () => {
    const ds = t.app.get(DataSource);
    const op = await createOperator(t.app);
    await http().post('/api/v1/auth/logout').set(bearer(op.token)).expect(204);
    const count = async (table: string) =>
      Number((await ds.query(`SELECT count(*)::int AS n FROM ${table}`))[0].n);
    const before = {
      sessions: await count('operator_sessions'),
      tokens: await count('session_tokens'),
      challenges: await count('mfa_challenges'),
    };
    expect(before.sessions).toBeGreaterThan(0);
    const jobs = t.app.get(JobRunner);
    expect(jobs.names()).toContain(OPERATORS_CLEANUP_JOB);

    // Nothing has ended long enough ago yet (a day of grace), except nothing.
    const early = await jobs.runOnce(OPERATORS_CLEANUP_JOB);
    expect(early.status).toBe('done');
    expect(await count('operator_sessions')).toBe(before.sessions);

    // Eight days on, every refresh token (7 days) has expired.
    offsetMs = 8 * 86_400_000;
    const late = await jobs.runOnce(OPERATORS_CLEANUP_JOB);
    expect(late).toMatchObject({ status: 'done', summary: expect.any(Object) });
    expect(await count('operator_sessions')).toBe(0);
    expect(await count('session_tokens')).toBe(0);
    expect(await count('mfa_challenges')).toBe(0);
    const summary = (late as { summary: Record<string, number> }).summary;
    expect(summary.sessions).toBe(before.sessions);
    expect(summary.sessionTokens).toBe(before.tokens);
  });
});
