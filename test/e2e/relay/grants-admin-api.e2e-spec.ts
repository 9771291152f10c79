import request from 'supertest';
import { AccountsService } from '@app/accounts';
import { createTestApp, type TestApp } from '../../utils/create-app';
import { bearer, createOperator, type TestOperator } from '../../utils/auth';
import { type RunningEmulator, startTestEmulator } from '../../utils/start-emulator';
import { createTestDatabase, type TestDatabase } from '../../utils/test-database';
import {
  adminViewer,
  type DelegatedAccount,
  delegatedAccount,
  SYSTEM_CTX,
} from '../../integration/grants/grant-fixtures';
import { CK_RULES, type RelayInstance, startRelayInstance } from './relay-harness';

describe('grants through the admin API, used at the relay', () => {
  let db: TestDatabase;
  let emulator: RunningEmulator;
  let admin: TestApp;
  let relay: RelayInstance;
  let account: DelegatedAccount;
  let root: TestOperator;
  let assigned: TestOperator;
  let stranger: TestOperator;
  let auditor: TestOperator;

  beforeAll(async () => {
    db = await createTestDatabase();
    emulator = await startTestEmulator();
    admin = await createTestApp('admin-api', { JOBS_ENABLED: 'false' }, db);
    relay = await startRelayInstance(db);
    account = await delegatedAccount(admin.app, emulator, CK_RULES);
    root = await createOperator(admin.app, { role: 'admin' });
    assigned = await createOperator(admin.app, { role: 'operator' });
    stranger = await createOperator(admin.app, { role: 'operator' });
    auditor = await createOperator(admin.app, { role: 'auditor' });
    await admin.app
      .get(AccountsService)
      .setOperators(adminViewer(), account.accountId, [assigned.operatorId], SYSTEM_CTX);
  });

  afterAll(async () => {
    await relay?.app.close();
    await admin?.close();
    await emulator?.close();
    await db?.drop();
  });

  const http = () => request(admin.app.getHttpServer());
  const path = () => `/api/v1/accounts/${account.accountId}/grants`;
  const body = (extra: Record<string, unknown> = {}) => ({
    consumerKeyId: account.consumerKeyId,
    holder: { type: 'person', name: 'Alice', email: 'alice@agency.example' },
    accessRules: [{ method: 'GET', path: '/domain/*' }],
    ttlSeconds: 3600,
    ...extra,
  });

  it('issues a grant once with its credentials, then lists and shows it without them', async () => {
    const created = await http().post(path()).set(bearer(assigned.token)).send(body()).expect(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const { credentials, grant } = created.body;
    expect(credentials).toMatchObject({
      applicationKey: expect.stringMatching(/^[A-Za-z0-9]{16}$/),
      applicationSecret: expect.stringMatching(/^[A-Za-z0-9]{32}$/),
      consumerKey: expect.stringMatching(/^[A-Za-z0-9]{32}$/),
      bearerToken: expect.stringMatching(/^obg_/),
      endpoint: expect.stringMatching(/\/1\.0$/),
    });
    const shown = await http().get(`${path()}/${grant.id}`).set(bearer(auditor.token)).expect(200);
    const listed = await http().get(path()).set(bearer(assigned.token)).expect(200);
    for (const text of [JSON.stringify(shown.body), JSON.stringify(listed.body)]) {
      expect(text).not.toContain(credentials.applicationSecret);
      expect(text).not.toContain(credentials.consumerKey);
      expect(text).not.toContain(credentials.bearerToken);
    }
    expect(shown.body).toMatchObject({ id: grant.id, status: 'active', holder: { name: 'Alice' } });

    // The bearer token works at the relay, and stops working once the grant is revoked.
    const relayHttp = () => request(relay.app.app.getHttpServer());
    await relayHttp().get('/1.0/domain/zone').set(bearer(credentials.bearerToken)).expect(200);
    await http()
      .post(`${path()}/${grant.id}/revoke`)
      .set(bearer(root.token))
      .send({ reason: 'done' })
      .expect(200);
    await http().post(`${path()}/${grant.id}/revoke`).set(bearer(root.token)).send({}).expect(409);
    await new Promise((r) => setTimeout(r, 300));
    const refused = await relayHttp()
      .get('/1.0/domain/zone')
      .set(bearer(credentials.bearerToken))
      .expect(403);
    expect(refused.headers['x-relay-error']).toBe('GRANT_REVOKED');
    expect(refused.body).toEqual({
      errorCode: 'INVALID_CREDENTIAL',
      httpCode: '403 Forbidden',
      message: 'This credential is not valid',
    });
  });

  it('hides the account from an unassigned operator (404) and keeps auditors read-only (403)', async () => {
    await http().post(path()).set(bearer(stranger.token)).send(body()).expect(404);
    await http().get(path()).set(bearer(stranger.token)).expect(404);
    await http().post(path()).set(bearer(auditor.token)).send(body()).expect(403);
    await http().get(path()).set(bearer(auditor.token)).expect(200);
  });

  it('validates the body and names the rule outside the consumer key', async () => {
    const bad = await http()
      .post(path())
      .set(bearer(root.token))
      .send({ ...body(), extra: 1 })
      .expect(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    const outside = await http()
      .post(path())
      .set(bearer(root.token))
      .send(body({ accessRules: [{ method: 'GET', path: '/me' }] }))
      .expect(422);
    expect(outside.body).toMatchObject({
      code: 'GRANT_RULES_NOT_CONTAINED',
      message: expect.stringContaining('GET /me'),
    });
    const tooLong = await http()
      .post(path())
      .set(bearer(root.token))
      .send(body({ ttlSeconds: 99999999 }))
      .expect(422);
    expect(tooLong.body.code).toBe('GRANT_TTL_TOO_LONG');
  });

  it('lets only an admin change the maximum grant lifetime', async () => {
    expect((await http().get('/api/v1/grant-settings').set(bearer(assigned.token)).expect(200)).body).toEqual(
      {
        maxTtlSeconds: 2592000,
        source: 'environment',
      },
    );
    await http()
      .put('/api/v1/grant-settings')
      .set(bearer(assigned.token))
      .send({ maxTtlSeconds: 600 })
      .expect(403);
    await http()
      .put('/api/v1/grant-settings')
      .set(bearer(root.token))
      .send({ maxTtlSeconds: 600 })
      .expect(200);
    const refused = await http()
      .post(path())
      .set(bearer(root.token))
      .send(body({ ttlSeconds: 601 }))
      .expect(422);
    expect(refused.body.details).toEqual({ maxTtlSeconds: 600 });
    await http()
      .put('/api/v1/grant-settings')
      .set(bearer(root.token))
      .send({ maxTtlSeconds: 2592000 })
      .expect(200);
  });
});
