import { type AccessRule, OvhUpstreamClient, recursiveRules, responseJson } from '@app/ovh-protocol';
import {
  EMULATOR_APP,
  EMULATOR_OTHER_APP,
  endpointOf,
  issueValidatedConsumerKey,
  requestConsumerKey,
  type RunningEmulator,
  startTestEmulator,
} from '../../utils/start-emulator';
import { rawRequest, signedHeaders } from './emulator-http';

const ALL: AccessRule[] = [
  { method: 'GET', path: '/*' },
  ...recursiveRules(['POST', 'PUT', 'DELETE'], '/domain/zone/example.com'),
];

describe('emulator signed-request checks', () => {
  let emulator: RunningEmulator;
  let client: OvhUpstreamClient;
  let endpoint: string;
  let consumerKey: string;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    client = new OvhUpstreamClient();
    endpoint = endpointOf(emulator);
    consumerKey = await issueValidatedConsumerKey(emulator, ALL);
  });

  afterAll(async () => {
    await client.close();
    await emulator.close();
  });

  const creds = () => ({
    appKey: EMULATOR_APP.applicationKey,
    appSecret: EMULATOR_APP.applicationSecret,
    consumerKey,
  });

  const signed = (method: string, target: string, body?: string, timestamp = emulator.clock.nowSec()) =>
    signedHeaders({ ...creds(), method, url: emulator.url + target, body, timestamp });

  it('accepts a request signed by the library, on /1.0, /v1 and /v2', async () => {
    for (const path of ['/me', '/v1/me', '/v2/me']) {
      const response = await client.call({ ...creds(), endpointBaseUrl: endpoint, method: 'GET', path });
      expect(response.status).toBe(200);
      expect(responseJson(response)).toMatchObject({ nichandle: 'xx1111-ovh' });
      expect(response.queryId).toMatch(/^EU\.ext-1\.[0-9a-f]+\.\d+\.[0-9a-f-]{36}$/);
    }
  });

  it('accepts a POST with a UTF-8 body signed by the library and a 204 DELETE', async () => {
    const body = JSON.stringify({ fieldType: 'TXT', subDomain: 'lib', target: 'tèsté ✓', ttl: 30 });
    const created = await client.call({
      ...creds(),
      endpointBaseUrl: endpoint,
      method: 'POST',
      path: '/domain/zone/example.com/record',
      body,
    });
    expect(created.status).toBe(200);
    const record = responseJson<{ id: number; target: string }>(created)!;
    expect(record.target).toBe('tèsté ✓');
    const deleted = await client.call({
      ...creds(),
      endpointBaseUrl: endpoint,
      method: 'DELETE',
      path: `/domain/zone/example.com/record/${record.id}`,
    });
    expect(deleted.status).toBe(204);
    expect(deleted.body.length).toBe(0);
  });

  describe('a single changed byte is refused', () => {
    const target = '/1.0/domain/zone/example.com/record?fieldType=A';
    const body = '{"fieldType":"A","subDomain":"x","target":"192.0.2.1","ttl":60}';

    it('baseline: the untouched requests pass', async () => {
      const get = await rawRequest(emulator.url, 'GET', target, signed('GET', target));
      expect(get.status).toBe(200);
      const post = await rawRequest(
        emulator.url,
        'POST',
        '/1.0/domain/zone/example.com/record',
        signed('POST', '/1.0/domain/zone/example.com/record', body),
        body,
      );
      expect(post.status).toBe(200);
    });

    it('in the URL', async () => {
      const res = await rawRequest(emulator.url, 'GET', target.replace('=A', '=B'), signed('GET', target));
      expect(res.status).toBe(400);
      expect(res.json()).toEqual({
        errorCode: 'INVALID_SIGNATURE',
        httpCode: '400 Bad Request',
        message: 'Invalid signature',
      });
    });

    it('in the body', async () => {
      const path = '/1.0/domain/zone/example.com/record';
      const res = await rawRequest(
        emulator.url,
        'POST',
        path,
        signed('POST', path, body),
        body.replace('192', '193'),
      );
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ errorCode: 'INVALID_SIGNATURE' });
    });

    it('in the method', async () => {
      const path = '/1.0/domain/zone/example.com/record';
      const res = await rawRequest(emulator.url, 'POST', path, signed('PUT', path, body), body);
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ errorCode: 'INVALID_SIGNATURE' });
    });

    it('in the timestamp header (within the window)', async () => {
      const now = emulator.clock.nowSec();
      const headers = { ...signed('GET', target, undefined, now), 'X-Ovh-Timestamp': String(now + 1) };
      const res = await rawRequest(emulator.url, 'GET', target, headers);
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ errorCode: 'INVALID_SIGNATURE' });
    });

    it('with a stale timestamp, even correctly signed: QUERY_TIME_OUT', async () => {
      const stale = emulator.clock.nowSec() - 181;
      const res = await rawRequest(emulator.url, 'GET', target, signed('GET', target, undefined, stale));
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ errorCode: 'QUERY_TIME_OUT' });
    });

    it('with a non-numeric timestamp: QUERY_TIME_OUT', async () => {
      const res = await rawRequest(emulator.url, 'GET', target, {
        ...signed('GET', target),
        'X-Ovh-Timestamp': 'soon',
      });
      expect(res.json()).toMatchObject({ errorCode: 'QUERY_TIME_OUT' });
    });
  });

  it('answers 401 "You must login first" when auth headers are missing', async () => {
    const headers = signed('GET', '/1.0/me');
    delete headers['X-Ovh-Signature'];
    const res = await rawRequest(emulator.url, 'GET', '/1.0/me', headers);
    expect(res.status).toBe(401);
    expect(res.json()).toEqual({ httpCode: '401 Unauthorized', message: 'You must login first' });
  });

  it('answers 403 INVALID_KEY for an unknown application key', async () => {
    const res = await rawRequest(emulator.url, 'GET', '/1.0/me', {
      ...signed('GET', '/1.0/me'),
      'X-Ovh-Application': 'UnknownAppKey000',
    });
    expect(res.status).toBe(403);
    expect(res.json()).toMatchObject({ errorCode: 'INVALID_KEY', message: 'Invalid application key' });
  });

  it('answers 403 NOT_CREDENTIAL for an unknown CK or a CK of another application', async () => {
    const unknown = await rawRequest(emulator.url, 'GET', '/1.0/me', {
      ...signed('GET', '/1.0/me'),
      'X-Ovh-Consumer': 'x'.repeat(32),
    });
    expect(unknown.status).toBe(403);
    expect(unknown.json()).toMatchObject({
      errorCode: 'NOT_CREDENTIAL',
      message: 'This credential does not exist',
    });
    const otherApp = await client.call({
      appKey: EMULATOR_OTHER_APP.applicationKey,
      appSecret: EMULATOR_OTHER_APP.applicationSecret,
      consumerKey,
      endpointBaseUrl: endpoint,
      method: 'GET',
      path: '/me',
    });
    expect(otherApp.status).toBe(403);
    expect(otherApp.error).toMatchObject({ errorCode: 'NOT_CREDENTIAL', kind: 'not-credential' });
  });

  it('answers 403 INVALID_CREDENTIAL while the CK is pending, and after refusal', async () => {
    const { consumerKey: pending } = await requestConsumerKey(emulator, ALL);
    const call = () =>
      client.call({
        ...creds(),
        consumerKey: pending,
        endpointBaseUrl: endpoint,
        method: 'GET',
        path: '/auth/currentCredential',
      });
    const first = await call();
    expect(first.status).toBe(403);
    expect(first.error).toMatchObject({
      errorCode: 'INVALID_CREDENTIAL',
      message: 'This credential is not valid',
    });
    emulator.state.refuseCredential(pending);
    expect((await call()).error?.kind).toBe('credential-invalid');
  });

  it('answers 403 NOT_GRANTED_CALL outside the rules but lets /auth/* through', async () => {
    const narrow = await issueValidatedConsumerKey(emulator, [{ method: 'GET', path: '/domain/zone/*' }]);
    const base = { ...creds(), consumerKey: narrow, endpointBaseUrl: endpoint };
    const denied = await client.call({ ...base, method: 'GET', path: '/domain/zone' });
    expect(denied.status).toBe(403);
    expect(denied.error).toMatchObject({ errorCode: 'NOT_GRANTED_CALL', kind: 'not-granted' });
    const allowed = await client.call({ ...base, method: 'GET', path: '/domain/zone/example.com/record' });
    expect(allowed.status).toBe(200);
    const current = await client.call({ ...base, method: 'GET', path: '/auth/currentCredential' });
    expect(current.status).toBe(200);
  });

  it('enforces allowedIPs, including after a PUT by the account owner', async () => {
    const elsewhere = await issueValidatedConsumerKey(emulator, ALL, { allowedIPs: ['10.0.0.0/8'] });
    const refused = await client.call({
      ...creds(),
      consumerKey: elsewhere,
      endpointBaseUrl: endpoint,
      method: 'GET',
      path: '/me',
    });
    expect(refused.status).toBe(403);
    expect(refused.error).toMatchObject({ errorCode: 'FORBIDDEN', kind: 'ip-not-allowed' });

    const local = await issueValidatedConsumerKey(emulator, ALL, { allowedIPs: ['127.0.0.1/32'] });
    const base = { ...creds(), consumerKey: local, endpointBaseUrl: endpoint };
    expect((await client.call({ ...base, method: 'GET', path: '/me' })).status).toBe(200);

    const current = responseJson<{ credentialId: number }>(
      await client.call({ ...base, method: 'GET', path: '/auth/currentCredential' }),
    )!;
    const put = await client.call({
      ...creds(),
      endpointBaseUrl: endpoint,
      method: 'PUT',
      path: `/me/api/credential/${current.credentialId}`,
      body: JSON.stringify({ allowedIPs: ['192.0.2.0/24'] }),
    });
    expect(put.status).toBe(403);
    // The CK used for the PUT lacks PUT /me/* rights: grant it and retry.
    const owner = await issueValidatedConsumerKey(
      emulator,
      recursiveRules(['GET', 'PUT'], '/me/api/credential'),
    );
    const granted = await client.call({
      ...creds(),
      consumerKey: owner,
      endpointBaseUrl: endpoint,
      method: 'PUT',
      path: `/me/api/credential/${current.credentialId}`,
      body: JSON.stringify({ allowedIPs: ['192.0.2.0/24'] }),
    });
    expect(granted.status).toBe(200);
    expect(granted.body.toString()).toBe('null');
    expect((await client.call({ ...base, method: 'GET', path: '/me' })).status).toBe(403);
  });

  it('refuses a body on GET and DELETE', async () => {
    for (const method of ['GET', 'DELETE']) {
      const target = method === 'GET' ? '/1.0/me' : '/1.0/domain/zone/example.com/record/5000004';
      const res = await rawRequest(emulator.url, method, target, signed(method, target, '{}'), '{}');
      expect(res.status).toBe(400);
      expect(res.json()).toEqual({
        httpCode: '400 Bad Request',
        message: 'You provided an input body while none was expected',
      });
    }
    expect(emulator.state.accounts.get('xx1111-ovh')!.zones.get('example.com')!.records.has(5000004)).toBe(
      true,
    );
  });

  it('answers 404 for zones of another account and for unknown routes, with a query id', async () => {
    const other = await client.call({
      ...creds(),
      endpointBaseUrl: endpoint,
      method: 'GET',
      path: '/domain/zone/other.org/record',
    });
    expect(other.status).toBe(404);
    expect(other.error?.message).toBe('This service does not exist');
    for (const target of ['/1.0/unknown/route', '/nothing', '/v2/me/nope']) {
      const res = await rawRequest(emulator.url, 'GET', target);
      expect(res.status).toBe(404);
      expect(res.json()).toEqual({ httpCode: '404 Not Found', message: 'Got an invalid (or empty) URL' });
      expect(res.headers['x-ovh-queryid']).toMatch(/^EU\.ext-1\./);
    }
  });

  it('puts X-Ovh-Queryid on every response', async () => {
    const responses = await Promise.all([
      rawRequest(emulator.url, 'GET', '/1.0/auth/time'),
      rawRequest(emulator.url, 'GET', '/1.0/me'),
      rawRequest(emulator.url, 'POST', '/1.0/auth/credential', { 'Content-Type': 'application/json' }, '{}'),
      rawRequest(emulator.url, 'GET', '/auth/?credentialToken=nope'),
    ]);
    const ids = responses.map((r) => r.headers['x-ovh-queryid']);
    expect(
      ids.every((id) => typeof id === 'string' && /^EU\.ext-1\.[0-9a-f]+\.\d+\.[0-9a-f-]{36}$/.test(id)),
    ).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('updates lastUse on successful signed calls', async () => {
    const ck = await issueValidatedConsumerKey(emulator, ALL);
    expect(emulator.state.credentials.get(ck)!.lastUse).toBeNull();
    await client.call({ ...creds(), consumerKey: ck, endpointBaseUrl: endpoint, method: 'GET', path: '/me' });
    const view = responseJson<{ lastUse: string }>(
      await client.call({
        ...creds(),
        consumerKey: ck,
        endpointBaseUrl: endpoint,
        method: 'GET',
        path: '/auth/currentCredential',
      }),
    )!;
    expect(view.lastUse).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
  });
});

describe('emulator with the public base https://eu.api.ovh.com', () => {
  it('accepts the documentation vector D replayed byte for byte (ovh-api.md §1.9)', async () => {
    const emulator = await startTestEmulator({
      publicBaseUrl: 'https://eu.api.ovh.com',
      clock: () => 1366560945_000,
      seed: {
        applications: [
          {
            applicationKey: '7kbG7Bk7S9Nt7ZSV',
            applicationSecret: 'EXEgWIz07P0HYwtQDs7cNIqCiQaWSuHF',
            name: 'Docs example',
          },
        ],
        accounts: [{ nichandle: 'doc-ovh', password: 'x', domains: [{ zone: 'doc.example', records: [] }] }],
      },
    });
    try {
      const app = emulator.state.applications.get('7kbG7Bk7S9Nt7ZSV')!;
      emulator.state.createCredential(
        app,
        [{ method: 'GET', path: '/*' }],
        null,
        null,
        'MtSwSrPpNjqfVSmJhLbPyr2i45lSwPU1',
      );
      emulator.state.validateCredential('MtSwSrPpNjqfVSmJhLbPyr2i45lSwPU1', 'doc-ovh', null);
      const res = await rawRequest(emulator.url, 'GET', '/1.0/domain/', {
        'X-Ovh-Application': '7kbG7Bk7S9Nt7ZSV',
        'X-Ovh-Timestamp': '1366560945',
        'X-Ovh-Signature': '$1$6a77f43f2871db97a029f1d1d81c4dcd3c6f7265',
        'X-Ovh-Consumer': 'MtSwSrPpNjqfVSmJhLbPyr2i45lSwPU1',
      });
      expect(res.status).toBe(200);
      expect(res.json()).toEqual(['doc.example']);
    } finally {
      await emulator.close();
    }
  });
});
