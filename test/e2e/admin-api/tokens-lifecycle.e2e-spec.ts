import request from 'supertest';
import { DataSource } from 'typeorm';
import { Clock } from '@app/common';
import { bearer, createOperator, login, type TestOperator } from '../../utils/auth';
import { createTestApp, type TestApp } from '../../utils/create-app';

jest.setTimeout(120_000);

const DAY = 86_400_000;
const INVALID_TOKEN = {
  code: 'AUTH_INVALID_TOKEN',
  message: 'The token is missing, invalid, expired or revoked',
  requestId: expect.any(String),
};

// API tokens and operator status: IP allow-lists, expiry, revocation, disabled
// operators, and the role ceiling of a token. The app trusts X-Forwarded-For
// from loopback (trust proxy = loopback), which is how these tests play clients
// at other addresses.
describe('API tokens: allow-lists, expiry, revocation, disabled operators, role ceiling', () => {
  let t: TestApp;
  let admin: TestOperator;
  let offsetMs = 0;
  const http = () => request(t.app.getHttpServer());

  const mint = async (owner: TestOperator, body: Record<string, unknown>) => {
    const res = await http()
      .post('/api/v1/api-tokens')
      .set(bearer(owner.token))
      .send({ name: 'test', expiresInDays: 1, ...body });
    return res;
  };

  beforeAll(async () => {
    t = await createTestApp('admin-api', { JOBS_ENABLED: 'false', LOGIN_MAX_FAILURES_PER_IP: '10000' });
    const clock = t.app.get(Clock);
    const real = clock.now.bind(clock);
    jest.spyOn(clock, 'now').mockImplementation(() => new Date(real().getTime() + offsetMs));
    admin = await createOperator(t.app, { role: 'admin' });
  });
  afterAll(() => t.close());
  afterEach(() => {
    offsetMs = 0;
  });

  it('accepts a token only from an address of its allow-list (IPv4, IPv6, v4-mapped)', async () => {
    const op = await createOperator(t.app, { role: 'operator' });
    const created = await mint(op, { ipAllowList: ['203.0.113.0/24', '2001:db8::/32', '::ffff:192.0.2.7'] });
    expect(created.status).toBe(201);
    expect(created.body.ipAllowList).toEqual(['203.0.113.0/24', '2001:db8::/32', '192.0.2.7/32']);
    const token = created.body.token as string;
    const from = (ip: string) => http().get('/api/v1/me').set(bearer(token)).set('X-Forwarded-For', ip);

    for (const ip of ['203.0.113.5', '2001:db8::1', '192.0.2.7', '::ffff:203.0.113.9']) {
      const ok = await from(ip);
      expect({ ip, status: ok.status }).toEqual({ ip, status: 200 });
      expect(ok.body).toMatchObject({ authenticatedAs: 'api_token', tokenId: created.body.id });
    }
    for (const ip of ['198.51.100.7', '203.0.114.1', '2001:db9::1', '192.0.2.8']) {
      const refused = await from(ip);
      expect({ ip, status: refused.status, code: refused.body.code }).toEqual({
        ip,
        status: 403,
        code: 'API_TOKEN_IP_NOT_ALLOWED',
      });
    }
    // Without X-Forwarded-For the caller is 127.0.0.1: not listed either.
    await http().get('/api/v1/me').set(bearer(token)).expect(403);
    // An empty list means anywhere.
    const open = await mint(op, {});
    await http()
      .get('/api/v1/me')
      .set(bearer(open.body.token))
      .set('X-Forwarded-For', '198.51.100.7')
      .expect(200);
  });

  it('refuses malformed allow-list entries', async () => {
    const op = await createOperator(t.app, { role: 'operator' });
    for (const bad of ['nope', '10.0.0.0/33', '999.1.1.1', '2001:db8::/129']) {
      const res = await mint(op, { ipAllowList: [bad] });
      expect({ bad, status: res.status, code: res.body.code }).toEqual({
        bad,
        status: 400,
        code: 'API_TOKEN_INVALID_CIDR',
      });
    }
  });

  it('refuses an expired token with the uniform 401 body', async () => {
    const op = await createOperator(t.app, { role: 'operator' });
    const created = await mint(op, { expiresInDays: 1 });
    await http().get('/api/v1/me').set(bearer(created.body.token)).expect(200);
    offsetMs = DAY + 1000;
    const res = await http().get('/api/v1/me').set(bearer(created.body.token)).expect(401);
    expect(res.body).toEqual(INVALID_TOKEN);
  });

  it('refuses a revoked token with the same body, and only its owner or an admin may revoke it', async () => {
    const op = await createOperator(t.app, { role: 'operator' });
    const other = await createOperator(t.app, { role: 'operator' });
    const created = await mint(op, {});
    const foreign = await http()
      .delete(`/api/v1/api-tokens/${created.body.id}`)
      .set(bearer(other.token))
      .expect(404);
    expect(foreign.body.code).toBe('API_TOKEN_NOT_FOUND');
    await http().get('/api/v1/me').set(bearer(created.body.token)).expect(200);
    const revoked = await http()
      .delete(`/api/v1/api-tokens/${created.body.id}`)
      .set(bearer(op.token))
      .expect(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    expect(JSON.stringify(revoked.body)).not.toContain(created.body.token);
    const res = await http().get('/api/v1/me').set(bearer(created.body.token)).expect(401);
    expect(res.body).toEqual(INVALID_TOKEN);
    // and a made-up token answers exactly the same
    const madeUp = await http().get('/api/v1/me').set(bearer('obt_madeUpTokenValue')).expect(401);
    expect(madeUp.body).toEqual(INVALID_TOKEN);
    // the listing shows the prefix, never the token or its hash
    const list = await http().get('/api/v1/api-tokens').set(bearer(op.token)).expect(200);
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    expect(list.body[0]).not.toHaveProperty('tokenHash');
  });

  it('refuses a token whose role is above its creator, and tokens minted with a token', async () => {
    const op = await createOperator(t.app, { role: 'operator' });
    const auditor = await createOperator(t.app, { role: 'auditor' });
    for (const [who, role] of [
      [op, 'admin'],
      [op, 'auditor'],
      [auditor, 'admin'],
      [auditor, 'operator'],
    ] as const) {
      const res = await mint(who, { role });
      expect({ who: who.role, role, status: res.status, code: res.body.code }).toEqual({
        who: who.role,
        role,
        status: 403,
        code: 'API_TOKEN_ROLE_TOO_HIGH',
      });
    }
    const auditorToken = await mint(admin, { role: 'auditor' });
    expect(auditorToken.status).toBe(201);
    const own = await mint(op, {});
    const viaToken = await http()
      .post('/api/v1/api-tokens')
      .set(bearer(own.body.token))
      .send({ name: 'chained', expiresInDays: 1 })
      .expect(403);
    expect(viaToken.body.code).toBe('API_TOKEN_SESSION_REQUIRED');
    const tooLong = await mint(op, { expiresInDays: 366 });
    expect({ status: tooLong.status, code: tooLong.body.code }).toEqual({
      status: 400,
      code: 'API_TOKEN_EXPIRY_INVALID',
    });
  });

  it("stops a disabled operator's login, sessions, refresh and API tokens at once", async () => {
    const op = await createOperator(t.app, { role: 'operator' });
    const apiToken = (await mint(op, {})).body.token as string;
    const second = await login(t.app, op.email, op.password);
    await http().get('/api/v1/me').set(bearer(apiToken)).expect(200);

    await http().post(`/api/v1/operators/${op.operatorId}/disable`).set(bearer(admin.token)).expect(200);

    for (const token of [op.token, second.accessToken, apiToken]) {
      const res = await http().get('/api/v1/me').set(bearer(token)).expect(401);
      expect(res.body).toEqual(INVALID_TOKEN);
    }
    await http().post('/api/v1/auth/refresh').send({ refreshToken: second.refreshToken }).expect(401);
    const disabled = await http()
      .post('/api/v1/auth/login')
      .send({ email: op.email, password: op.password })
      .expect(401);
    const unknown = await http()
      .post('/api/v1/auth/login')
      .send({ email: 'nobody-at-all@test.example', password: op.password })
      .expect(401);
    const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined });
    expect(strip(disabled.body)).toEqual(strip(unknown.body));
    expect(disabled.body.code).toBe('AUTH_INVALID_CREDENTIALS');

    // Enabling again does not bring the old credentials back.
    await http().post(`/api/v1/operators/${op.operatorId}/enable`).set(bearer(admin.token)).expect(200);
    await http().get('/api/v1/me').set(bearer(apiToken)).expect(401);
    await http().get('/api/v1/me').set(bearer(op.token)).expect(401);
    const fresh = await login(t.app, op.email, op.password);
    await http().get('/api/v1/me').set(bearer(fresh.accessToken)).expect(200);
  });

  it('ends an admin-role token when its creator is demoted', async () => {
    const boss = await createOperator(t.app, { role: 'admin' });
    const token = (await mint(boss, { role: 'admin' })).body.token as string;
    await http().get('/api/v1/operators').set(bearer(token)).expect(200);
    await http()
      .patch(`/api/v1/operators/${boss.operatorId}`)
      .set(bearer(admin.token))
      .send({ role: 'operator' })
      .expect(200);
    await http().get('/api/v1/operators').set(bearer(token)).expect(401);
    const rows = await t.app
      .get(DataSource)
      .query('SELECT revoked_at FROM api_tokens WHERE operator_id = $1', [boss.operatorId]);
    expect(rows.every((r: { revoked_at: Date | null }) => r.revoked_at !== null)).toBe(true);
  });
});
