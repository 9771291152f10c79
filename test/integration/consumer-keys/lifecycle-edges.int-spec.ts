import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { AccountsService } from '@app/accounts';
import { ApplicationsService } from '@app/applications';
import type { AuditContext } from '@app/audit';
import { Clock } from '@app/common';
import { ConsumerKeysService } from '@app/consumer-keys';
import { JOB_LOCK_CLASS, jobLockId, JobRunner } from '@app/jobs';
import { NotificationsService } from '@app/notifications';
import { createTestApp, type TestApp } from '../../utils/create-app';
import { onEmbeddedEngine } from '../../utils/engine';
import {
  EMULATOR_ACCOUNT,
  EMULATOR_APP,
  EMULATOR_OTHER_APP,
  endpointOf,
  type RunningEmulator,
  startTestEmulator,
} from '../../utils/start-emulator';

const ctx: AuditContext = { actor: { type: 'system', label: 'test' } };
const admin = { operatorId: '00000000-0000-4000-8000-00000000000a', role: 'admin' as const };

// Edges of the lifecycle driven through the services: refusal, the relay-facing
// API, an AK OVHcloud does not know, abandonment, the job lock, webhook retries.
describe('consumer keys, jobs and webhooks (services against the emulator)', () => {
  let t: TestApp;
  let emulator: RunningEmulator;
  let receiver: Server;
  let receiverUrl: string;
  let statuses: number[] = [];
  let hits = 0;
  let offsetMs = 0;
  let appId: string;
  let accountId: string;
  const keys = () => t.app.get(ConsumerKeysService);
  const credentialFor = (id: string) =>
    [...emulator.state.credentials.values()].find((c) => c.redirection?.includes(id));

  beforeAll(async () => {
    emulator = await startTestEmulator();
    receiver = createServer((req, res) => {
      hits += 1;
      req.resume();
      req.on('end', () => res.writeHead(statuses.shift() ?? 200).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    t = await createTestApp('admin-api', {
      JOBS_ENABLED: 'false',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_MAX_ATTEMPTS: '3',
    });
    const clock = t.app.get(Clock);
    const real = clock.now.bind(clock);
    jest.spyOn(clock, 'now').mockImplementation(() => new Date(real().getTime() + offsetMs));
    appId = (
      await t.app.get(ApplicationsService).register(
        {
          label: 'emu',
          endpoint: endpointOf(emulator),
          appKey: EMULATOR_APP.applicationKey,
          appSecret: EMULATOR_APP.applicationSecret,
        },
        ctx,
      )
    ).id;
    accountId = (await t.app.get(AccountsService).create({ displayName: 'Edge Co' }, ctx)).id;
  });

  afterAll(async () => {
    await t?.close();
    await emulator?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  async function pending(label: string) {
    const { key } = await keys().request(
      admin,
      accountId,
      {
        applicationId: appId,
        presets: [{ id: 'dns-zone-read-only', params: { zone: 'example.com' } }],
        label,
      },
      undefined,
      ctx,
    );
    return key;
  }

  it('marks a key refused when the customer comes back from the consent page without approving', async () => {
    const key = await pending('refuse-me');
    const credential = credentialFor(key.id);
    emulator.state.refuseCredential(credential?.consumerKey as string);
    const state = new URL(credential?.redirection as string).searchParams.get('state') as string;
    expect(await keys().handleCallback(key.id, 'wrong-state', ctx)).toBe('invalid');
    expect(await keys().handleCallback(key.id, state, ctx)).toBe('refused');
    expect((await keys().get(admin, accountId, key.id)).state).toBe('refused');
    const [row] = await t.app
      .get(DataSource)
      .query('SELECT consumer_key_sealed FROM consumer_keys WHERE id = $1', [key.id]);
    expect(row.consumer_key_sealed).toBeNull();
  });

  it('gives the relay signing material for validated keys only, and takes its credential errors', async () => {
    const key = await pending('relay');
    await expect(keys().getSigningMaterial(key.id)).rejects.toMatchObject({
      code: 'CONSUMER_KEY_NOT_USABLE',
    });
    const credential = credentialFor(key.id);
    emulator.state.validateCredential(credential?.consumerKey as string, EMULATOR_ACCOUNT.nichandle, 3600);
    await keys().refresh(admin, accountId, key.id, ctx);
    const material = await keys().getSigningMaterial(key.id);
    expect(material).toMatchObject({
      appKey: EMULATOR_APP.applicationKey,
      appSecret: EMULATOR_APP.applicationSecret,
      consumerKey: credential?.consumerKey,
      endpointBaseUrl: endpointOf(emulator),
      state: 'validated',
    });
    expect(material.expiresAt?.getTime()).toBe(Math.floor((credential?.expiration as number) / 1000) * 1000);
    const after = await keys().markUpstreamCredentialError(key.id, 'not-credential');
    expect(after.state).toBe('revoked');
    expect((await keys().markUpstreamCredentialError(key.id, 'credential-invalid')).state).toBe('revoked');
    await expect(keys().getSigningMaterial(key.id)).rejects.toMatchObject({
      code: 'CONSUMER_KEY_NOT_USABLE',
    });
  });

  it('records a request OVHcloud refuses (unknown AK) as requestFailed and answers the same on retry', async () => {
    const other = await t.app.get(ApplicationsService).register(
      {
        label: 'unknown AK',
        endpoint: endpointOf(emulator),
        appKey: 'ZZunknownAppKey1',
        appSecret: EMULATOR_OTHER_APP.applicationSecret,
      },
      ctx,
    );
    const input = { applicationId: other.id, accessRules: [{ method: 'GET' as const, path: '/me' }] };
    await expect(keys().request(admin, accountId, input, 'bad-ak', ctx)).rejects.toMatchObject({
      code: 'CONSUMER_KEY_REQUEST_REJECTED',
    });
    await expect(keys().request(admin, accountId, input, 'bad-ak', ctx)).rejects.toMatchObject({
      code: 'CONSUMER_KEY_REQUEST_REJECTED',
    });
    const rows = await t.app
      .get(DataSource)
      .query(`SELECT state, last_error FROM consumer_keys WHERE idempotency_key = 'bad-ak'`);
    expect(rows).toHaveLength(1);
    expect(rows[0].state).toBe('requestFailed');
    expect(rows[0].last_error).toContain('invalid-key');
  });

  it('abandons a key still pending after the timeout', async () => {
    const key = await pending('abandon-me');
    offsetMs = 4 * 86_400_000;
    try {
      expect(await t.app.get(JobRunner).runOnce('consumer-keys.abandon')).toMatchObject({ status: 'done' });
    } finally {
      offsetMs = 0;
    }
    expect((await keys().get(admin, accountId, key.id)).state).toBe('abandoned');
  });

  it('runs a job on one instance at a time (advisory lock) and records each run', async () => {
    const ds = t.app.get(DataSource);
    if (onEmbeddedEngine()) {
      console.warn(
        '[embedded engine] skipped the held-lock step: one backend session serves every connection, so advisory locks do not exclude each other (one process, one job runner)',
      );
    } else {
      const holder = ds.createQueryRunner();
      await holder.connect();
      try {
        await holder.query('SELECT pg_advisory_lock($1::int, $2::int)', [
          JOB_LOCK_CLASS,
          jobLockId('consumer-keys.sync'),
        ]);
        expect(await t.app.get(JobRunner).runOnce('consumer-keys.sync')).toEqual({
          status: 'skipped',
          reason: 'locked',
        });
      } finally {
        await holder.query('SELECT pg_advisory_unlock_all()');
        await holder.release();
      }
    }
    expect((await t.app.get(JobRunner).runOnce('consumer-keys.sync')).status).toBe('done');
    const status = (await t.app.get(JobRunner).status()).find((s) => s.name === 'consumer-keys.sync');
    expect(status).toMatchObject({ lastError: null });
    expect(status?.runs).toBeGreaterThanOrEqual(1);
    expect(status?.lastFinishedAt).toBeInstanceOf(Date);
  });

  it('retries a failing webhook with backoff, then gives up after the maximum attempts', async () => {
    const notifications = t.app.get(NotificationsService);
    const { webhook } = await notifications.createWebhook({ url: receiverUrl, events: ['test.*'] }, ctx);
    const ds = t.app.get(DataSource);
    // An event emitted in a transaction that rolls back is never delivered.
    await ds
      .transaction(async (m) => {
        await notifications.emit('test.rolled_back', {}, m);
        throw new Error('rollback');
      })
      .catch(() => undefined);
    expect(await notifications.emit('test.ping', { n: 1 })).toBe(1);
    statuses = [500, 502, 500];
    hits = 0;
    await notifications.deliverDue();
    let [d] = await notifications.listDeliveries(webhook.id);
    expect(d).toMatchObject({ event: 'test.ping', state: 'pending', attempts: 1, lastStatus: 500 });
    await notifications.deliverDue();
    expect(hits).toBe(1); // not due yet: the backoff holds it back
    for (const shift of [31_000, 92_000]) {
      offsetMs = shift;
      await notifications.deliverDue();
    }
    offsetMs = 0;
    [d] = await notifications.listDeliveries(webhook.id);
    expect(d).toMatchObject({ state: 'failed', attempts: 3, lastStatus: 500 });
    expect(hits).toBe(3);
    expect((await notifications.listDeliveries(webhook.id)).map((x) => x.event)).toEqual(['test.ping']);
  });
});
