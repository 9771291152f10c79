import request from 'supertest';
import { AuditChainService } from '@app/audit';
import { createTestApp, TestApp } from '../../utils/create-app';
import { awaitRoomInTotpStep, bearer, createOperator, enableTotp, totpCode } from '../../utils/auth';

describe('admin API second factor, refresh rotation and audit chain', () => {
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    t = await createTestApp('admin-api', {
      LOGIN_MAX_FAILURES: '3',
      LOGIN_MAX_FAILURES_PER_IP: '1000',
      LOG_LEVEL: 'error',
    });
  });
  afterAll(() => t.close());

  it('logs in in two steps once TOTP is on, refuses a replayed code and accepts ±1 step but not ±2', async () => {
    const op = await createOperator(t.app, { role: 'operator' });
    // enrolment and the four codes below must all fall in one 30 s step
    await awaitRoomInTotpStep();
    const { secret, recoveryCodes } = await enableTotp(t.app, op.token);
    expect(recoveryCodes).toHaveLength(10);

    const start = async () => {
      const res = await http()
        .post('/api/v1/auth/login')
        .send({ email: op.email, password: op.password })
        .expect(200);
      expect(res.body).toEqual({ mfaRequired: true, mfaToken: expect.stringMatching(/^obm_/) });
      return res.body.mfaToken as string;
    };
    const now = Date.now();
    // the code used to confirm enrolment is spent: the same step is refused
    await http()
      .post('/api/v1/auth/2fa/verify')
      .send({ mfaToken: await start(), code: await totpCode(secret, new Date(now)) })
      .expect(401);
    const twoAhead = await totpCode(secret, new Date(now + 60_000));
    await http()
      .post('/api/v1/auth/2fa/verify')
      .send({ mfaToken: await start(), code: twoAhead })
      .expect(401);
    const oneAhead = await totpCode(secret, new Date(now + 30_000));
    const ok = await http()
      .post('/api/v1/auth/2fa/verify')
      .send({ mfaToken: await start(), code: oneAhead })
      .expect(200);
    expect(ok.body.accessToken).toMatch(/^oba_/);
    await http()
      .post('/api/v1/auth/2fa/verify')
      .send({ mfaToken: await start(), code: oneAhead })
      .expect(401);

    const rc = await http()
      .post('/api/v1/auth/2fa/verify')
      .send({ mfaToken: await start(), recoveryCode: recoveryCodes[0] })
      .expect(200);
    expect(rc.body.accessToken).toMatch(/^oba_/);
    await http()
      .post('/api/v1/auth/2fa/verify')
      .send({ mfaToken: await start(), recoveryCode: recoveryCodes[0] })
      .expect(401);
  });

  it('rotates refresh tokens and revokes the whole session when an old one is reused', async () => {
    const op = await createOperator(t.app);
    const first = await http()
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: op.refreshToken })
      .expect(200);
    await http().get('/api/v1/me').set(bearer(first.body.accessToken)).expect(200);
    await http().post('/api/v1/auth/refresh').send({ refreshToken: op.refreshToken }).expect(401);
    await http().get('/api/v1/me').set(bearer(first.body.accessToken)).expect(401);
    await http().post('/api/v1/auth/refresh').send({ refreshToken: first.body.refreshToken }).expect(401);
  });

  it('throttles repeated failures with 429 and Retry-After, the same for unknown and known emails', async () => {
    const op = await createOperator(t.app);
    for (const email of [op.email, 'nobody@test.example']) {
      for (let i = 0; i < 3; i++) {
        const res = await http()
          .post('/api/v1/auth/login')
          .send({ email, password: 'wrong-password-123' })
          .expect(401);
        expect(res.body).toMatchObject({
          code: 'AUTH_INVALID_CREDENTIALS',
          message: 'Invalid email or password',
        });
      }
      const res = await http().post('/api/v1/auth/login').send({ email, password: op.password }).expect(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
  });

  it('records every step in a hash chain that verifies', async () => {
    const report = await t.app.get(AuditChainService).verify();
    expect(report.problem).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.checked).toBeGreaterThan(5);
    const admin = await createOperator(t.app, { role: 'admin' });
    const list = await http()
      .get('/api/v1/audit-events?action=auth.*&limit=5')
      .set(bearer(admin.token))
      .expect(200);
    expect(list.body.items).toHaveLength(5);
    expect(list.body.nextCursor).toEqual(expect.any(String));
    const csv = await http()
      .get('/api/v1/audit-events/export?format=csv')
      .set(bearer(admin.token))
      .expect(200);
    expect(csv.text.split('\r\n')[0]).toMatch(/^seq,id,occurredAt/);
  });
});
