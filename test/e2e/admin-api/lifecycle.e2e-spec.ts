import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Clock } from '@app/common';
import { JobRunner } from '@app/jobs';
import { verifyWebhookSignature } from '@app/notifications';
import { bearer, createOperator, type TestOperator } from '../../utils/auth';
import { createTestApp, type TestApp } from '../../utils/create-app';
import {
  EMULATOR_ACCOUNT,
  EMULATOR_APP,
  endpointOf,
  type RunningEmulator,
  startTestEmulator,
} from '../../utils/start-emulator';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

const DAY = 86_400_000;

// The whole consumer-key story against the in-process OVH emulator: register the
// application, create the account, request, validate on the consent page, webhooks,
// policy expiry, renew, revoke (with an outage), and a revocation by the customer.
describe('consumer-key lifecycle (admin API + OVH emulator)', () => {
  let t: TestApp;
  let emulator: RunningEmulator;
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];
  let admin: TestOperator;
  let operator: TestOperator;
  let stranger: TestOperator;
  let auditor: TestOperator;
  let offsetMs = 0;
  let applicationId: string;
  let accountId: string;
  let webhookSecret: string;
  let webhookId: string;
  const http = () => request(t.app.getHttpServer());
  const jobs = () => t.app.get(JobRunner);
  const upstreamCalls = (pattern: RegExp) =>
    emulator.control.requests().filter((r) => pattern.test(`${r.method} ${r.target}`)).length;
  const countRows = async (table: string) =>
    Number((await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM ${table}`))[0].n);
  const credentialFor = (keyId: string) =>
    [...emulator.state.credentials.values()].find((c) => c.redirection?.includes(keyId));
  const ckPath = (id = '') => `/api/v1/accounts/${accountId}/consumer-keys${id ? `/${id}` : ''}`;
  const eventsOf = (name: string) =>
    received.map((r) => JSON.parse(r.body)).filter((b: { event: string }) => b.event === name);
  async function deliver(): Promise<void> {
    expect((await jobs().runOnce('webhooks.deliver')).status).toBe('done');
  }
  async function at<T>(shiftMs: number, fn: () => Promise<T>): Promise<T> {
    offsetMs = shiftMs;
    try {
      return await fn();
    } finally {
      offsetMs = 0;
    }
  }

  beforeAll(async () => {
    emulator = await startTestEmulator();
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/broker`;
    t = await createTestApp('admin-api', {
      JOBS_ENABLED: 'false',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      PUBLIC_URL: 'http://broker.test',
      LOGIN_MAX_FAILURES_PER_IP: '1000',
    });
    const clock = t.app.get(Clock);
    const real = clock.now.bind(clock);
    jest.spyOn(clock, 'now').mockImplementation(() => new Date(real().getTime() + offsetMs));
    admin = await createOperator(t.app, { role: 'admin' });
    operator = await createOperator(t.app, { role: 'operator' });
    stranger = await createOperator(t.app, { role: 'operator' });
    auditor = await createOperator(t.app, { role: 'auditor' });
  });

  afterAll(async () => {
    await t?.close();
    await emulator?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  describe('application keys', () => {
    it('registers the emulator application; the secret is never returned', async () => {
      const res = await http()
        .post('/api/v1/applications')
        .set(bearer(admin.token))
        .send({
          label: 'Sandbox',
          endpoint: endpointOf(emulator),
          appKey: EMULATOR_APP.applicationKey,
          appSecret: ` ${EMULATOR_APP.applicationSecret} `,
        })
        .expect(201);
      expect(res.body).toMatchObject({
        endpointBaseUrl: endpointOf(emulator),
        appKey: EMULATOR_APP.applicationKey,
        status: 'active',
      });
      expect(JSON.stringify(res.body)).not.toContain(EMULATOR_APP.applicationSecret);
      applicationId = res.body.id;
      const listed = await http().get('/api/v1/applications').set(bearer(auditor.token)).expect(200);
      expect(JSON.stringify(listed.body)).not.toContain(EMULATOR_APP.applicationSecret);
      const [row] = await t.app
        .get(DataSource)
        .query('SELECT app_secret_sealed FROM applications WHERE id = $1', [applicationId]);
      expect(row.app_secret_sealed).not.toContain(EMULATOR_APP.applicationSecret);
    });

    it('refuses a malformed secret, an unreachable endpoint, a duplicate, and non-admins', async () => {
      const base = { label: 'x', endpoint: endpointOf(emulator), appKey: 'AbCdEfGh12345678' };
      const bad = await http()
        .post('/api/v1/applications')
        .set(bearer(admin.token))
        .send({ ...base, appSecret: 'short secret' })
        .expect(400);
      expect(bad.body.code).toBe('APPLICATION_KEY_FORMAT');
      const down = await http()
        .post('/api/v1/applications')
        .set(bearer(admin.token))
        .send({ ...base, endpoint: 'http://127.0.0.1:1/1.0', appSecret: 'A'.repeat(32) })
        .expect(422);
      expect(down.body.code).toBe('APPLICATION_ENDPOINT_UNREACHABLE');
      const dup = await http()
        .post('/api/v1/applications')
        .set(bearer(admin.token))
        .send({ ...base, appKey: EMULATOR_APP.applicationKey, appSecret: 'B'.repeat(32) })
        .expect(409);
      expect(dup.body.code).toBe('APPLICATION_ALREADY_REGISTERED');
      await http().post('/api/v1/applications').set(bearer(operator.token)).send(base).expect(403);
      await http().post('/api/v1/applications').set(bearer(auditor.token)).send(base).expect(403);
      await http().get('/api/v1/applications').set(bearer(operator.token)).expect(403);
      expect(await countRows('applications')).toBe(1);
    });
  });

  describe('accounts', () => {
    it('creates an account and assigns an operator', async () => {
      const res = await http()
        .post('/api/v1/accounts')
        .set(bearer(admin.token))
        .send({ displayName: 'Acme', contactEmail: 'it@acme.example', tags: ['vip', 'vip', 'dns'] })
        .expect(201);
      accountId = res.body.id;
      expect(res.body).toMatchObject({ nichandle: null, tags: ['dns', 'vip'], operatorIds: [] });
      const set = await http()
        .put(`/api/v1/accounts/${accountId}/operators`)
        .set(bearer(admin.token))
        .send({ operatorIds: [operator.operatorId] })
        .expect(200);
      expect(set.body.operatorIds).toEqual([operator.operatorId]);
    });

    it('shows an operator only their accounts; any other id answers 404', async () => {
      expect(
        (await http().get('/api/v1/accounts').set(bearer(operator.token)).expect(200)).body,
      ).toHaveLength(1);
      expect((await http().get('/api/v1/accounts').set(bearer(stranger.token)).expect(200)).body).toEqual([]);
      expect((await http().get('/api/v1/accounts').set(bearer(auditor.token)).expect(200)).body).toHaveLength(
        1,
      );
      const res = await http().get(`/api/v1/accounts/${accountId}`).set(bearer(stranger.token)).expect(404);
      expect(res.body.code).toBe('ACCOUNT_NOT_FOUND');
      await http().get(ckPath()).set(bearer(stranger.token)).expect(404);
      await http()
        .patch(`/api/v1/accounts/${accountId}`)
        .set(bearer(operator.token))
        .send({ notes: 'x' })
        .expect(403);
    });

    it('refuses to assign an operator that does not exist', async () => {
      const res = await http()
        .put(`/api/v1/accounts/${accountId}/operators`)
        .set(bearer(admin.token))
        .send({ operatorIds: ['00000000-0000-4000-8000-000000000000'] })
        .expect(422);
      expect(res.body.code).toBe('OPERATOR_UNKNOWN');
    });
  });

  describe('webhooks', () => {
    it('registers a webhook whose secret is shown once', async () => {
      const res = await http()
        .post('/api/v1/webhooks')
        .set(bearer(admin.token))
        .send({ url: receiverUrl, events: ['consumer_key.*'] })
        .expect(201);
      webhookSecret = res.body.secret;
      webhookId = res.body.id;
      expect(webhookSecret).toMatch(/^whsec_/);
      const again = await http().get(`/api/v1/webhooks/${webhookId}`).set(bearer(admin.token)).expect(200);
      expect(JSON.stringify(again.body)).not.toContain(webhookSecret);
      await http().get('/api/v1/webhooks').set(bearer(operator.token)).expect(403);
    });

    it('refuses non-http URLs', async () => {
      const res = await http()
        .post('/api/v1/webhooks')
        .set(bearer(admin.token))
        .send({ url: 'file:///etc/passwd' })
        .expect(422);
      expect(res.body.code).toBe('WEBHOOK_URL_INVALID');
    });
  });

  let firstKeyId: string;
  const firstBody = () => ({
    applicationId,
    presets: [{ id: 'dns-zone-read-only', params: { zone: 'example.com' } }, { id: 'account-identity' }],
    validitySeconds: 20 * 86400,
    label: 'DNS read',
  });

  describe('requesting a consumer key', () => {
    it('rejects bad inputs with clear errors, no upstream call and no row', async () => {
      emulator.control.clearRequests();
      const cases: Array<[object, number, string]> = [
        [
          { applicationId, accessRules: [{ method: 'GET', path: 'domain' }] },
          400,
          'CONSUMER_KEY_RULES_INVALID',
        ],
        [{ applicationId, accessRules: [{ method: 'PATCH', path: '/domain' }] }, 400, 'VALIDATION_FAILED'],
        [{ applicationId, accessRules: [] }, 400, 'CONSUMER_KEY_RULES_INVALID'],
        [
          { applicationId, presets: [{ id: 'dns-zone-manager', params: { zone: '*' } }] },
          400,
          'CONSUMER_KEY_RULES_INVALID',
        ],
        [
          { applicationId, presets: [{ id: 'account-identity' }], allowedIPs: ['nope'] },
          400,
          'CONSUMER_KEY_ALLOWED_IPS_INVALID',
        ],
        [
          { applicationId: '00000000-0000-4000-8000-000000000000', presets: [{ id: 'account-identity' }] },
          422,
          'APPLICATION_UNKNOWN',
        ],
      ];
      for (const [body, status, code] of cases) {
        const res = await http().post(ckPath()).set(bearer(operator.token)).send(body);
        expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
      }
      const foreign = await http().post(ckPath()).set(bearer(stranger.token)).send(firstBody()).expect(404);
      expect(foreign.body.code).toBe('ACCOUNT_NOT_FOUND');
      await http().post(ckPath()).set(bearer(auditor.token)).send(firstBody()).expect(403);
      expect(upstreamCalls(/auth\/credential/)).toBe(0);
      expect(await countRows('consumer_keys')).toBe(0);
    });

    it('requests a pending key and returns the validation link, once per Idempotency-Key', async () => {
      const res = await http()
        .post(ckPath())
        .set(bearer(operator.token))
        .set('Idempotency-Key', 'req-1')
        .send(firstBody())
        .expect(201);
      firstKeyId = res.body.id;
      expect(res.body).toMatchObject({
        state: 'pendingValidation',
        validitySeconds: 1728000,
        label: 'DNS read',
      });
      expect(res.body.validationUrl).toMatch(new RegExp(`^${emulator.url}/auth/\\?credentialToken=`));
      expect(res.body.accessRules).toEqual([
        { method: 'GET', path: '/domain/zone/example.com' },
        { method: 'GET', path: '/domain/zone/example.com/*' },
        { method: 'GET', path: '/me' },
      ]);
      const credential = credentialFor(firstKeyId);
      expect(credential?.redirection).toMatch(
        new RegExp(`^http://broker\\.test/api/v1/callbacks/consumer-keys/${firstKeyId}\\?state=[\\w-]{32}$`),
      );
      expect(JSON.stringify(res.body)).not.toContain(credential?.consumerKey);

      const again = await http()
        .post(ckPath())
        .set(bearer(operator.token))
        .set('Idempotency-Key', 'req-1')
        .send(firstBody())
        .expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.id).toBe(firstKeyId);
      const reused = await http()
        .post(ckPath())
        .set(bearer(operator.token))
        .set('Idempotency-Key', 'req-1')
        .send({ ...firstBody(), validitySeconds: 3600 })
        .expect(422);
      expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(upstreamCalls(/POST \/1\.0\/auth\/credential/)).toBe(1);
      expect(await countRows('consumer_keys')).toBe(1);
    });

    it('resumes a request interrupted before OVHcloud answered, without creating a second key', async () => {
      const ds = t.app.get(DataSource);
      await emulator.control.addFault({
        method: 'POST',
        pathPattern: '*/auth/credential',
        reset: true,
        times: 1,
      });
      const body = { applicationId, presets: [{ id: 'account-identity' }] };
      const down = await http()
        .post(ckPath())
        .set(bearer(operator.token))
        .set('Idempotency-Key', 'req-2')
        .send(body);
      expect(down.status).toBe(502);
      expect(down.body.code).toBe('CONSUMER_KEY_UPSTREAM_UNAVAILABLE');
      const [row] = await ds.query(`SELECT id, state FROM consumer_keys WHERE idempotency_key = 'req-2'`);
      expect(row.state).toBe('requesting');
      // A crash right after the row was written looks like this: in flight, no error.
      await ds.query(`UPDATE consumer_keys SET last_error = NULL, requested_at = now() WHERE id = $1`, [
        row.id,
      ]);
      const busy = await http()
        .post(ckPath())
        .set(bearer(operator.token))
        .set('Idempotency-Key', 'req-2')
        .send(body);
      expect(busy.status).toBe(409);
      expect(busy.body.code).toBe('CONSUMER_KEY_REQUEST_IN_PROGRESS');
      expect(busy.headers['retry-after']).toBeDefined();
      await ds.query(`UPDATE consumer_keys SET requested_at = now() - interval '5 minutes' WHERE id = $1`, [
        row.id,
      ]);
      const before = emulator.state.credentials.size;
      const resumed = await http()
        .post(ckPath())
        .set(bearer(operator.token))
        .set('Idempotency-Key', 'req-2')
        .send(body)
        .expect(201);
      expect(resumed.body).toMatchObject({ id: row.id, state: 'pendingValidation' });
      expect(emulator.state.credentials.size).toBe(before + 1);
      // Cancel it: a pending request is abandoned, not revoked.
      const cancelled = await http()
        .post(ckPath(`${row.id}/revoke`))
        .set(bearer(operator.token))
        .expect(200);
      expect(cancelled.body.state).toBe('abandoned');
    });
  });

  describe('validation', () => {
    it('is confirmed when the customer approves on the consent page and comes back', async () => {
      const key = (await http().get(ckPath(firstKeyId)).set(bearer(operator.token)).expect(200)).body;
      const page = await fetch(key.validationUrl);
      expect(page.status).toBe(200);
      const token = new URL(key.validationUrl).searchParams.get('credentialToken') as string;
      const consent = await fetch(key.validationUrl, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          credentialToken: token,
          nichandle: EMULATOR_ACCOUNT.nichandle,
          password: EMULATOR_ACCOUNT.password,
          decision: 'approve',
          validity: '2592000',
        }).toString(),
      });
      expect(consent.status).toBe(302);
      const back = new URL(consent.headers.get('location') as string);
      expect(back.origin).toBe('http://broker.test');
      const forged = await http().get(`${back.pathname}?state=forged`).expect(404);
      expect(forged.text).toContain('not valid');
      const thanks = await http().get(`${back.pathname}${back.search}`).expect(200);
      expect(thanks.headers['content-type']).toContain('text/html');
      expect(thanks.text).toContain('You can close this page');

      const after = (await http().get(ckPath(firstKeyId)).set(bearer(operator.token)).expect(200)).body;
      const upstream = credentialFor(firstKeyId);
      expect(after).toMatchObject({
        state: 'validated',
        nichandle: EMULATOR_ACCOUNT.nichandle,
        credentialId: upstream?.credentialId,
        validationUrl: null,
      });
      expect(new Date(after.upstreamExpiresAt).getTime()).toBe(
        Math.floor((upstream?.expiration as number) / 1000) * 1000,
      );
      expect(new Date(after.expiresAt).getTime()).toBe(new Date(after.policyExpiresAt).getTime());
      expect(new Date(after.policyExpiresAt).getTime() - new Date(after.validatedAt).getTime()).toBe(
        20 * DAY,
      );
      const account = await http()
        .get(`/api/v1/accounts/${accountId}`)
        .set(bearer(operator.token))
        .expect(200);
      expect(account.body.nichandle).toBe(EMULATOR_ACCOUNT.nichandle);
    });

    it('sends a signed consumer_key.validated webhook', async () => {
      await deliver();
      const [event] = eventsOf('consumer_key.validated');
      expect(event.data).toMatchObject({ consumerKeyId: firstKeyId, accountId, state: 'validated' });
      const raw = received.find((r) => r.body.includes('consumer_key.validated')) as Received;
      const header = raw.headers['x-broker-signature'] as string;
      expect(verifyWebhookSignature(webhookSecret, header, raw.body)).toBe(true);
      expect(verifyWebhookSignature('whsec_wrong', header, raw.body)).toBe(false);
      const log = await http()
        .get(`/api/v1/webhooks/${webhookId}/deliveries`)
        .set(bearer(admin.token))
        .expect(200);
      expect(log.body[0]).toMatchObject({ state: 'delivered', attempts: 1, lastStatus: 204 });
    });

    it('warns once per threshold before the policy expiry', async () => {
      await at(7 * DAY, () => jobs().runOnce('consumer-keys.expiry'));
      await at(7 * DAY, deliver);
      const warnings = eventsOf('consumer_key.expiring');
      expect(warnings).toHaveLength(1);
      expect(warnings[0].data).toMatchObject({ consumerKeyId: firstKeyId, thresholdDays: 14 });
      await at(8 * DAY, () => jobs().runOnce('consumer-keys.expiry'));
      await at(8 * DAY, deliver);
      expect(eventsOf('consumer_key.expiring')).toHaveLength(1);
    });
  });

  let secondKeyId: string;
  describe('renewal, policy expiry, revocation', () => {
    it('renews: once the successor is validated the predecessor is revoked upstream', async () => {
      const res = await http()
        .post(ckPath(`${firstKeyId}/renew`))
        .set(bearer(operator.token))
        .set('Idempotency-Key', 'renew-1')
        .send({})
        .expect(201);
      secondKeyId = res.body.id;
      expect(res.body).toMatchObject({
        state: 'pendingValidation',
        renewalOf: firstKeyId,
        validitySeconds: 1728000,
      });
      const again = await http()
        .post(ckPath(`${firstKeyId}/renew`))
        .set(bearer(operator.token))
        .send({})
        .expect(409);
      expect(again.body.code).toBe('CONSUMER_KEY_RENEWAL_IN_PROGRESS');
      const successor = credentialFor(secondKeyId);
      const predecessor = credentialFor(firstKeyId);
      emulator.state.validateCredential(
        successor?.consumerKey as string,
        EMULATOR_ACCOUNT.nichandle,
        2592000,
      );
      expect((await jobs().runOnce('consumer-keys.sync')).status).toBe('done');
      expect((await http().get(ckPath(secondKeyId)).set(bearer(operator.token))).body.state).toBe(
        'validated',
      );
      const old = (await http().get(ckPath(firstKeyId)).set(bearer(operator.token))).body;
      expect(old).toMatchObject({ state: 'revoked', renewedBy: secondKeyId });
      expect(emulator.state.refreshStatus(predecessor as never).status).toBe('expired');
      await deliver();
      expect(eventsOf('consumer_key.revoked').map((e) => e.data.consumerKeyId)).toContain(firstKeyId);
    });

    it('answers 409 when revoking an already revoked key', async () => {
      const res = await http()
        .post(ckPath(`${firstKeyId}/revoke`))
        .set(bearer(operator.token))
        .expect(409);
      expect(res.body.code).toBe('CONSUMER_KEY_INVALID_TRANSITION');
    });

    it('expires the key upstream when the broker policy says it is due', async () => {
      const logouts = upstreamCalls(/POST \/1\.0\/auth\/logout/);
      await at(20 * DAY + 60_000, () => jobs().runOnce('consumer-keys.expiry'));
      const key = (await http().get(ckPath(secondKeyId)).set(bearer(operator.token))).body;
      expect(key.state).toBe('expired');
      expect(upstreamCalls(/POST \/1\.0\/auth\/logout/)).toBe(logouts + 1);
      expect(emulator.state.refreshStatus(credentialFor(secondKeyId) as never).status).toBe('expired');
      await at(20 * DAY + 60_000, deliver);
      expect(eventsOf('consumer_key.expired').map((e) => e.data.consumerKeyId)).toContain(secondKeyId);
    });

    it('retries a revocation OVHcloud could not take, then completes it', async () => {
      const id = await validatedKey('outage');
      await emulator.control.addFault({
        method: 'POST',
        pathPattern: '*/auth/logout',
        status: 503,
        times: 1,
      });
      const res = await http()
        .post(ckPath(`${id}/revoke`))
        .set(bearer(operator.token))
        .expect(200);
      expect(res.body).toMatchObject({
        state: 'revocationPending',
        revocationTarget: 'revoked',
        revocationAttempts: 1,
      });
      await at(5 * 60_000, () => jobs().runOnce('consumer-keys.revocation-retry'));
      const after = (await http().get(ckPath(id)).set(bearer(operator.token))).body;
      expect(after.state).toBe('revoked');
      expect(emulator.state.refreshStatus(credentialFor(id) as never).status).toBe('expired');
    });

    it('notices a revocation made by the customer and notifies', async () => {
      const id = await validatedKey('customer');
      const upstream = credentialFor(id);
      emulator.state.deleteCredential(upstream?.consumerKey as string);
      await at(2 * 3600_000, () => jobs().runOnce('consumer-keys.sync'));
      const after = (await http().get(ckPath(id)).set(bearer(operator.token))).body;
      expect(after.state).toBe('revoked');
      await at(2 * 3600_000, deliver);
      const event = eventsOf('consumer_key.revoked').find((e) => e.data.consumerKeyId === id);
      expect(event.data.reason).toContain('NOT_CREDENTIAL');
    });

    it('records every step in the audit trail without any secret', async () => {
      const ds = t.app.get(DataSource);
      const rows: Array<{ action: string }> = await ds.query(
        `SELECT action FROM audit_events WHERE object_type = 'consumer_key' AND object_id = $1 ORDER BY id`,
        [firstKeyId],
      );
      expect(rows.map((r) => r.action)).toEqual(
        expect.arrayContaining([
          'consumer_key.request_started',
          'consumer_key.requested',
          'consumer_key.validated',
          'consumer_key.revoked',
        ]),
      );
      const dump = JSON.stringify(await ds.query('SELECT * FROM audit_events'));
      const deliveries = JSON.stringify(await ds.query('SELECT * FROM webhook_deliveries'));
      const secrets = [
        EMULATOR_APP.applicationSecret,
        webhookSecret,
        ...[...emulator.state.credentials.values()].map((c) => c.consumerKey),
      ];
      for (const secret of secrets) {
        expect(dump).not.toContain(secret);
        expect(deliveries).not.toContain(secret);
      }
      const sealed = JSON.stringify(await ds.query('SELECT * FROM consumer_keys'));
      for (const c of emulator.state.credentials.values()) expect(sealed).not.toContain(c.consumerKey);
    });
  });

  async function validatedKey(label: string): Promise<string> {
    const res = await http()
      .post(ckPath())
      .set(bearer(operator.token))
      .send({ applicationId, presets: [{ id: 'dns-manager' }], label })
      .expect(201);
    const upstream = credentialFor(res.body.id);
    emulator.state.validateCredential(upstream?.consumerKey as string, EMULATOR_ACCOUNT.nichandle, null);
    const synced = await http()
      .post(ckPath(`${res.body.id}/sync`))
      .set(bearer(operator.token))
      .expect(200);
    expect(synced.body).toMatchObject({ state: 'validated', upstreamExpiresAt: null, expiresAt: null });
    return res.body.id;
  }
});
