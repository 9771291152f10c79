import http from 'node:http';
import https from 'node:https';
import ovh from 'ovh';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { AuditService } from '@app/audit';
import { GrantsService } from '@app/grants';
import { adminViewer, SYSTEM_CTX } from '../../integration/grants/grant-fixtures';
import { itOnRealPostgres } from '../../utils/engine';
import { type RelayHarness, type RelayInstance, startRelayHarness } from './relay-harness';

interface NodeOvhError {
  error: number;
  message: string | null;
}

type Credentials = { applicationKey: string; applicationSecret: string; consumerKey: string };

// node-ovh always speaks HTTPS and signs "https://" + host without the port (ovh-api.md §1.8).
// Here it reaches the relay over plain HTTP: its https.request is routed to http.request, so the
// client signs exactly what it would in production, and the relay accepts https://<host>.
describe('the official node ovh client through the relay, against the emulator', () => {
  let h: RelayHarness;
  let spy: jest.SpyInstance;

  beforeAll(async () => {
    spy = jest
      .spyOn(https, 'request')
      .mockImplementation(((options: http.RequestOptions, cb?: (res: http.IncomingMessage) => void) =>
        http.request(options, cb)) as unknown as typeof https.request);
    h = await startRelayHarness();
  });

  afterAll(async () => {
    spy.mockRestore();
    await h?.close();
  });

  beforeEach(() => h.emulator.control.clearRequests());

  const client = (relay: RelayInstance, c: Credentials, extra: { apiTimeDiff?: number } = {}) =>
    ovh({
      appKey: c.applicationKey,
      appSecret: c.applicationSecret,
      consumerKey: c.consumerKey,
      host: '127.0.0.1',
      port: relay.port,
      basePath: '/1.0',
      ...extra,
    } as Parameters<typeof ovh>[0]);

  const refusal = async (p: Promise<unknown>): Promise<NodeOvhError> => {
    try {
      await p;
    } catch (e) {
      return e as NodeOvhError;
    }
    throw new Error('the call was not refused');
  };

  it('reads zones and changes DNS records with a grant, signed with the real keys upstream', async () => {
    const { credentials, grant } = await h.grant();
    const api = client(h.relay, credentials);
    expect(await api.requestPromised('GET', '/domain')).toEqual(expect.arrayContaining(['example.com']));
    const records = await api.requestPromised<number[]>('GET', '/domain/zone/example.com/record', {
      fieldType: 'A',
    });
    expect(records).toEqual(expect.arrayContaining([5000001, 5000002]));

    const created = await api.requestPromised<{ id: number; target: string }>(
      'POST',
      '/domain/zone/example.com/record',
      {
        fieldType: 'A',
        subDomain: 'relay-test',
        target: '192.0.2.55',
        ttl: 60,
      },
    );
    expect(created).toMatchObject({ target: '192.0.2.55' });
    await api.requestPromised('PUT', `/domain/zone/example.com/record/${created.id}`, {
      target: '192.0.2.56',
    });
    expect(await api.requestPromised('GET', `/domain/zone/example.com/record/${created.id}`)).toMatchObject({
      target: '192.0.2.56',
    });
    // The emulator answers 204 like OVHcloud; node-ovh 2.0.3 treats any non-200 as an error (node-ovh PR#50).
    await expect(
      api.requestPromised('DELETE', `/domain/zone/example.com/record/${created.id}`),
    ).rejects.toEqual({
      error: 204,
      message: null,
    });
    await expect(
      refusal(api.requestPromised('GET', `/domain/zone/example.com/record/${created.id}`)),
    ).resolves.toMatchObject({ error: 404 });

    // Upstream saw the real application key and consumer key, never the grant's.
    const upstream = h.upstreamCalls();
    expect(upstream.length).toBe(7);
    for (const call of upstream) {
      expect(call.headers['x-ovh-application']).toBe('EmuSandboxAppKey');
      expect(call.headers['x-ovh-consumer']).toBe(h.account.realConsumerKey);
      expect(JSON.stringify(call.headers)).not.toContain(credentials.consumerKey);
    }

    // Each call is audited (after the buffer flushes), without secrets or bodies.
    await h.relay.relay.audit.flush();
    const audit = h.relay.app.app.get(AuditService);
    const page = await audit.list({ action: 'relay.call', actorId: grant.id }, undefined, 50);
    expect(page.items).toHaveLength(7);
    expect(page.items.map((e) => (e.metadata as { method: string }).method).sort()).toEqual(
      ['DELETE', 'GET', 'GET', 'GET', 'GET', 'POST', 'PUT'].sort(),
    );
    expect(page.items[0]).toMatchObject({
      actorType: 'grant',
      accountId: h.account.accountId,
      result: 'failure',
    });
    expect(page.items.filter((e) => e.result === 'success')).toHaveLength(6);
    const text = JSON.stringify(page.items);
    for (const secret of [
      credentials.applicationSecret,
      credentials.consumerKey,
      h.account.realConsumerKey,
      '192.0.2.56',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('/1.0/domain/zone/example.com/record');
  });

  it('refuses out-of-scope calls, bad signatures and stale timestamps before they reach the emulator', async () => {
    const { credentials } = await h.grant();
    await expect(refusal(client(h.relay, credentials).requestPromised('GET', '/me'))).resolves.toMatchObject({
      error: 403,
      message: 'This call has not been granted',
    });
    await expect(
      refusal(
        client(h.relay, credentials).requestPromised('DELETE', '/domain/zone/example.net/record/5000005'),
      ),
    ).resolves.toMatchObject({ error: 403 });
    await expect(
      refusal(
        client(h.relay, { ...credentials, applicationSecret: 'X'.repeat(32) }).requestPromised(
          'GET',
          '/domain',
        ),
      ),
    ).resolves.toMatchObject({ error: 400, message: 'Invalid signature' });
    await expect(
      refusal(client(h.relay, credentials, { apiTimeDiff: -600 }).requestPromised('GET', '/domain')),
    ).resolves.toMatchObject({ error: 400, message: 'Query out of time' });
    await expect(
      refusal(
        client(h.relay, { ...credentials, applicationKey: 'A'.repeat(16) }).requestPromised('GET', '/domain'),
      ),
    ).resolves.toMatchObject({ error: 403, message: 'Invalid application key' });
    expect(h.upstreamCalls()).toEqual([]);
  });

  it('refuses calls from an IP outside the grant, and from expired and revoked grants', async () => {
    const fenced = await h.grant({ allowedIPs: ['192.0.2.0/24'] });
    await expect(
      refusal(client(h.relay, fenced.credentials).requestPromised('GET', '/domain')),
    ).resolves.toMatchObject({
      error: 403,
    });

    const expiring = await h.grant();
    const api = client(h.relay, expiring.credentials);
    await api.requestPromised('GET', '/domain');
    await h.relay.app.app
      .get<DataSource>(getDataSourceToken())
      .query(`UPDATE grants SET expires_at = now() - interval '1 second' WHERE id = $1`, [expiring.grant.id]);
    // The change reaches the relay's cache through NOTIFY, asynchronously (well within a second).
    await new Promise((r) => setTimeout(r, 200));
    await expect(refusal(api.requestPromised('GET', '/domain'))).resolves.toMatchObject({
      error: 403,
      message: 'This credential is not valid',
    });

    const revoked = await h.grant();
    const api2 = client(h.relay, revoked.credentials);
    await api2.requestPromised('GET', '/domain');
    await h.relay.app.app
      .get(GrantsService)
      .revoke(adminViewer(), h.account.accountId, revoked.grant.id, SYSTEM_CTX);
    await expect(refusal(api2.requestPromised('GET', '/domain'))).resolves.toMatchObject({
      error: 403,
      message: 'This credential is not valid',
    });
    expect(h.upstreamCalls().map((c) => c.target)).toEqual(['/1.0/domain', '/1.0/domain']);
  });

  itOnRealPostgres(
    'a revocation reaches a second relay instance on the same database within one second',
    'NOTIFY from another process: the embedded engine delivers it to the committing connection only',
    async () => {
      const second = await h.startInstance();
      for (const via of ['service', 'another process'] as const) {
        const { credentials, grant } = await h.grant();
        const one = client(h.relay, credentials);
        const two = client(second, credentials);
        await one.requestPromised('GET', '/domain');
        await two.requestPromised('GET', '/domain');
        const started = Date.now();
        if (via === 'service') {
          await h.relay.app.app
            .get(GrantsService)
            .revoke(adminViewer(), h.account.accountId, grant.id, SYSTEM_CTX);
        } else {
          // A plain SQL change from elsewhere: only LISTEN/NOTIFY (the trigger) can tell the relays.
          const pg = new Client({ connectionString: h.db.url });
          await pg.connect();
          await pg.query(`UPDATE grants SET state = 'revoked', revoked_at = now() WHERE id = $1`, [grant.id]);
          await pg.end();
        }
        let refusedAt: number | null = null;
        while (Date.now() - started < 1000) {
          const outcome = await two.requestPromised('GET', '/domain').then(
            () => 'ok',
            (e: NodeOvhError) => e.error,
          );
          if (outcome === 403) {
            refusedAt = Date.now();
            break;
          }
          await new Promise((r) => setTimeout(r, 20));
        }
        expect(refusedAt).not.toBeNull();
        expect((refusedAt as number) - started).toBeLessThan(1000);
        await expect(refusal(one.requestPromised('GET', '/domain'))).resolves.toMatchObject({ error: 403 });
      }
    },
  );
});
