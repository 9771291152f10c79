import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OvhUpstreamClient, responseJson } from '@app/ovh-protocol';
import { emulatorOptionsFromEnv } from '../../../apps/ovh-emulator/src/emulator-options';
import { SeedValidationError } from '../../../apps/ovh-emulator/src/seed/emulator-seed';
import {
  EMULATOR_APP,
  endpointOf,
  issueValidatedConsumerKey,
  requestConsumerKey,
  type RunningEmulator,
  startTestEmulator,
} from '../../utils/start-emulator';
import { controlPost, rawRequest } from './emulator-http';

describe('emulator control API', () => {
  it('is absent (404, OVH-style) unless enabled', async () => {
    const emulator = await startTestEmulator({ control: false });
    try {
      for (const [method, path] of [
        ['GET', '/_emulator/state'],
        ['POST', '/_emulator/reset'],
        ['POST', '/_emulator/clock'],
      ]) {
        const res = await rawRequest(
          emulator.url,
          method,
          path,
          { 'Content-Type': 'application/json' },
          '{}',
        );
        expect(res.status).toBe(404);
        expect(res.json()).toMatchObject({ message: 'Got an invalid (or empty) URL' });
      }
    } finally {
      await emulator.close();
    }
  });

  describe('when enabled', () => {
    let emulator: RunningEmulator;
    let client: OvhUpstreamClient;
    let consumerKey: string;
    const call = (path: string) =>
      client.call({
        appKey: EMULATOR_APP.applicationKey,
        appSecret: EMULATOR_APP.applicationSecret,
        consumerKey,
        endpointBaseUrl: endpointOf(emulator),
        method: 'GET',
        path,
      });

    beforeAll(async () => {
      emulator = await startTestEmulator();
    });

    beforeEach(async () => {
      await controlPost(emulator.url, '/reset', {});
      client = new OvhUpstreamClient({ headersTimeoutMs: 2_000 });
      consumerKey = await issueValidatedConsumerKey(emulator, [{ method: 'GET', path: '/*' }]);
    });

    afterEach(async () => {
      await client.close();
    });

    afterAll(async () => {
      await emulator.close();
    });

    it('validates and refuses pending credentials', async () => {
      const a = await requestConsumerKey(emulator, [{ method: 'GET', path: '/me' }]);
      const validated = await controlPost(emulator.url, `/credentials/${a.consumerKey}/validate`, {
        nichandle: 'yy2222-ovh',
        validitySeconds: 3600,
      });
      expect(validated.status).toBe(200);
      const view = validated.json<{ status: string; creation: string; expiration: string }>();
      expect(view.status).toBe('validated');
      expect(Date.parse(view.expiration) - Date.parse(view.creation)).toBeGreaterThanOrEqual(3599_000);

      const again = await controlPost(emulator.url, `/credentials/${a.consumerKey}/validate`, {
        nichandle: 'yy2222-ovh',
      });
      expect(again.status).toBe(409);

      const b = await requestConsumerKey(emulator, [{ method: 'GET', path: '/me' }]);
      expect(
        (await controlPost(emulator.url, `/credentials/${b.consumerKey}/refuse`, {})).json(),
      ).toMatchObject({
        status: 'refused',
      });
      expect((await controlPost(emulator.url, '/credentials/unknown/refuse', {})).status).toBe(404);
      const badAccount = await requestConsumerKey(emulator, [{ method: 'GET', path: '/me' }]);
      expect(
        (
          await controlPost(emulator.url, `/credentials/${badAccount.consumerKey}/validate`, {
            nichandle: 'nobody',
          })
        ).status,
      ).toBe(409);
      expect(
        (
          await controlPost(emulator.url, `/credentials/${badAccount.consumerKey}/validate`, {
            validitySeconds: 'x',
          })
        ).status,
      ).toBe(400);
    });

    it('shifts the clock: /auth/time, timestamps and expiry follow, and the library resyncs once', async () => {
      const before = Number((await rawRequest(emulator.url, 'GET', '/1.0/auth/time')).text);
      expect((await call('/me')).status).toBe(200);

      const shifted = await controlPost(emulator.url, '/clock', { offsetSeconds: 600 });
      expect(shifted.json<{ offsetSeconds: number }>().offsetSeconds).toBe(600);
      const after = Number((await rawRequest(emulator.url, 'GET', '/1.0/auth/time')).text);
      expect(after - before).toBeGreaterThanOrEqual(600);

      // The client's cached delta is now 10 minutes off: QUERY_TIME_OUT, resync, one retry.
      const response = await call('/me');
      expect(response.status).toBe(200);
      expect(response.attempts).toBe(2);
      expect(client.getTimeDelta(endpointOf(emulator))).toBeGreaterThanOrEqual(599);

      // A day later the default (1 day) credential has expired.
      await controlPost(emulator.url, '/clock', { offsetSeconds: 86_400 + 60 });
      const expired = await call('/me');
      expect(expired.status).toBe(403);
      expect(expired.error).toMatchObject({ errorCode: 'INVALID_CREDENTIAL' });
      const state = (await rawRequest(emulator.url, 'GET', '/_emulator/state')).json<{
        credentials: { consumerKey: string; status: string }[];
      }>();
      expect(state.credentials.find((c) => c.consumerKey === consumerKey)?.status).toBe('expired');
    });

    it('injects an error status a limited number of times', async () => {
      const fault = await controlPost(emulator.url, '/faults', {
        method: 'GET',
        pathPattern: '*/me',
        status: 503,
        times: 1,
      });
      expect(fault.status).toBe(200);
      const failed = await call('/me');
      expect(failed.status).toBe(503);
      expect(failed.queryId).toBeDefined();
      expect(failed.error).toMatchObject({ message: 'Injected fault' });
      expect((await call('/me')).status).toBe(200);
    });

    it('injects a custom error body and latency', async () => {
      await controlPost(emulator.url, '/faults', {
        pathPattern: '/1.0/domain',
        status: 429,
        latencyMs: 300,
        errorBody: { class: 'Client::TooManyRequests', message: 'Slow down' },
      });
      const started = Date.now();
      const response = await call('/domain');
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(response.status).toBe(429);
      expect(responseJson(response)).toEqual({ class: 'Client::TooManyRequests', message: 'Slow down' });
    });

    it('delays, then serves normally, when only latency is set', async () => {
      await controlPost(emulator.url, '/faults', { pathPattern: '*/me', latencyMs: 300, times: 1 });
      const started = Date.now();
      expect((await call('/me')).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    });

    it('makes a client with a short headers timeout fail with HEADERS_TIMEOUT', async () => {
      // Large margins: undici's timers are coarse under load.
      const impatient = new OvhUpstreamClient({ headersTimeoutMs: 500 });
      await impatient.syncTime(endpointOf(emulator));
      await controlPost(emulator.url, '/faults', { pathPattern: '*/me', latencyMs: 4_000, times: 1 });
      try {
        await expect(
          impatient.call({
            appKey: EMULATOR_APP.applicationKey,
            appSecret: EMULATOR_APP.applicationSecret,
            consumerKey,
            endpointBaseUrl: endpointOf(emulator),
            method: 'GET',
            path: '/me',
          }),
        ).rejects.toMatchObject({ code: 'HEADERS_TIMEOUT' });
      } finally {
        await impatient.close();
      }
    });

    it('resets the connection', async () => {
      await controlPost(emulator.url, '/faults', { pathPattern: '*/me', reset: true });
      await expect(call('/me')).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
      const cleared = await rawRequest(emulator.url, 'DELETE', '/_emulator/faults');
      expect(cleared.status).toBe(200);
      expect((await call('/me')).status).toBe(200);
    });

    it('refuses malformed faults', async () => {
      for (const body of [
        {},
        { pathPattern: '/x' },
        { pathPattern: '/x', status: 42 },
        { pathPattern: '/x', times: 0, status: 500 },
      ]) {
        expect((await controlPost(emulator.url, '/faults', body)).status).toBe(400);
      }
    });

    it('logs received requests and clears the log', async () => {
      await call('/me?x=%41');
      const log = (await rawRequest(emulator.url, 'GET', '/_emulator/requests')).json<
        { method: string; target: string; status: number; headers: Record<string, string>; queryId: string }[]
      >();
      const entry = log.find((e) => e.target === '/1.0/me?x=%41');
      expect(entry).toMatchObject({ method: 'GET', status: 200 });
      expect(entry?.headers['x-ovh-consumer']).toBe(consumerKey);
      expect(entry?.queryId).toMatch(/^EU\.ext-1\./);
      expect((await rawRequest(emulator.url, 'DELETE', '/_emulator/requests')).status).toBe(200);
      expect((await rawRequest(emulator.url, 'GET', '/_emulator/requests')).json()).toEqual([]);
    });

    it('reset restores the seed and forgets credentials', async () => {
      await controlPost(emulator.url, '/reset', {});
      const res = await call('/me');
      expect(res.status).toBe(403);
      expect(res.error).toMatchObject({ errorCode: 'NOT_CREDENTIAL' });
    });
  });
});

describe('emulator seed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emu-seed-e2e-'));

  it('loads a seed file named by OVH_EMULATOR_SEED', async () => {
    const path = join(dir, 'seed.json');
    writeFileSync(
      path,
      JSON.stringify({
        applications: [
          { applicationKey: 'SeedAppKey000001', applicationSecret: 'SeedSecret', name: 'From file' },
        ],
        accounts: [
          {
            nichandle: 'zz3333-ovh',
            password: 'pw',
            domains: [
              { zone: 'seeded.test', records: [{ fieldType: 'A', subDomain: 'www', target: '192.0.2.3' }] },
            ],
          },
        ],
      }),
    );
    const { seed } = emulatorOptionsFromEnv({ OVH_EMULATOR_SEED: path });
    const emulator = await startTestEmulator({ seed });
    const client = new OvhUpstreamClient();
    try {
      const app = emulator.state.applications.get('SeedAppKey000001')!;
      expect(app.applicationId).toBeGreaterThan(1000);
      const ck = await issueValidatedConsumerKey(emulator, [{ method: 'GET', path: '/*' }], {
        nichandle: 'zz3333-ovh',
        appKey: 'SeedAppKey000001',
      });
      const response = await client.call({
        appKey: 'SeedAppKey000001',
        appSecret: 'SeedSecret',
        consumerKey: ck,
        endpointBaseUrl: endpointOf(emulator),
        method: 'GET',
        path: '/domain/zone/seeded.test/record?subDomain=www',
      });
      expect(responseJson<number[]>(response)).toHaveLength(1);
    } finally {
      await client.close();
      await emulator.close();
    }
  });

  it('rejects a bad seed file with a clear message', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify({ applications: [{ applicationKey: 'K' }], accounts: 'none' }));
    let error: unknown;
    try {
      emulatorOptionsFromEnv({ OVH_EMULATOR_SEED: path });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SeedValidationError);
    expect((error as Error).message).toContain(`Invalid emulator seed (${path})`);
    expect((error as SeedValidationError).problems).toEqual([
      'applications[0].applicationSecret: must be a non-empty string without spaces',
      'applications[0].name: must be a non-empty string',
      'accounts: must be an array',
    ]);
  });

  it('rejects a bad seed passed to startEmulator before listening', async () => {
    await expect(
      startTestEmulator({
        seed: { applications: [], accounts: [{ nichandle: '', password: '', domains: [] }] },
      }),
    ).rejects.toThrow(/accounts\[0\]\.nichandle/);
  });
});
