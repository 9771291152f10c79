import { OvhUpstreamClient, recursiveRules, responseJson } from '@app/ovh-protocol';
import {
  EMULATOR_ACCOUNT,
  EMULATOR_APP,
  endpointOf,
  issueValidatedConsumerKey,
  requestConsumerKey,
  type RunningEmulator,
  startTestEmulator,
} from '../../utils/start-emulator';
import { rawRequest } from './emulator-http';

function relative(validationUrl: string): string {
  const url = new URL(validationUrl);
  return url.pathname + url.search;
}

function form(fields: Record<string, string>): [Record<string, string>, string] {
  return [{ 'Content-Type': 'application/x-www-form-urlencoded' }, new URLSearchParams(fields).toString()];
}

describe('emulator consent page', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startTestEmulator({ control: false });
  });

  afterAll(async () => {
    await emulator.close();
  });

  it('shows the application and rules, logs the customer in, and redirects after approval', async () => {
    const { consumerKey, validationUrl } = await requestConsumerKey(
      emulator,
      [
        { method: 'GET', path: '/domain/zone/example.com/*' },
        { method: 'POST', path: '/domain/zone/<script>' },
      ],
      { redirection: 'https://broker.example/done?state=abc' },
    );
    expect(validationUrl.startsWith(`${emulator.url}/auth/?credentialToken=`)).toBe(true);
    const token = new URL(validationUrl).searchParams.get('credentialToken')!;
    expect(token).toMatch(/^[A-Za-z0-9]{64}$/);

    const page = await rawRequest(emulator.url, 'GET', relative(validationUrl));
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('Sandbox broker');
    expect(page.text).toContain('/domain/zone/example.com/*');
    expect(page.text).toContain('/domain/zone/&#60;script&#62;');
    expect(page.text).not.toContain('<script>');
    for (const label of [
      '<label for="nichandle">',
      '<label for="password">',
      '1 hour',
      '1 day',
      '30 days',
      'Unlimited',
    ]) {
      expect(page.text).toContain(label);
    }
    expect(page.text).toMatch(/value="86400" checked/);

    const wrong = await rawRequest(
      emulator.url,
      'POST',
      '/auth/',
      ...form({
        credentialToken: token,
        nichandle: 'xx1111-ovh',
        password: 'nope',
        validity: '2592000',
        decision: 'approve',
      }),
    );
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('Invalid account ID or password.');

    const approved = await rawRequest(
      emulator.url,
      'POST',
      '/auth/',
      ...form({
        credentialToken: token,
        nichandle: EMULATOR_ACCOUNT.nichandle,
        password: EMULATOR_ACCOUNT.password,
        validity: '2592000',
        decision: 'approve',
      }),
    );
    expect(approved.status).toBe(302);
    expect(approved.headers.location).toBe('https://broker.example/done?state=abc');

    const credential = emulator.state.credentials.get(consumerKey)!;
    expect(credential.status).toBe('validated');
    expect(credential.nichandle).toBe('xx1111-ovh');
    expect(credential.expiration! - emulator.clock.nowMs()).toBeGreaterThan(2592000_000 - 5_000);

    const reused = await rawRequest(emulator.url, 'GET', relative(validationUrl));
    expect(reused.status).toBe(404);
    expect(reused.text).toContain('Invalid token');
  });

  it('supports unlimited validity, refusal and a done page without redirection', async () => {
    const unlimited = await requestConsumerKey(emulator, [{ method: 'GET', path: '/me' }]);
    const token = new URL(unlimited.validationUrl).searchParams.get('credentialToken')!;
    const done = await rawRequest(
      emulator.url,
      'POST',
      '/auth/',
      ...form({
        credentialToken: token,
        nichandle: 'yy2222-ovh',
        password: 'emulator-pass-2',
        validity: 'unlimited',
        decision: 'approve',
      }),
    );
    expect(done.status).toBe(200);
    expect(done.text).toContain('Access granted');
    expect(emulator.state.credentials.get(unlimited.consumerKey)).toMatchObject({
      status: 'validated',
      expiration: null,
    });

    const refused = await requestConsumerKey(emulator, [{ method: 'GET', path: '/me' }], {
      redirection: 'https://x.example/',
    });
    const refusedToken = new URL(refused.validationUrl).searchParams.get('credentialToken')!;
    const answer = await rawRequest(
      emulator.url,
      'POST',
      '/auth/',
      ...form({
        credentialToken: refusedToken,
        nichandle: 'yy2222-ovh',
        password: 'emulator-pass-2',
        decision: 'refuse',
      }),
    );
    expect(answer.status).toBe(302);
    expect(emulator.state.credentials.get(refused.consumerKey)!.status).toBe('refused');
  });

  it('shows an error page for unknown or malformed tokens', async () => {
    for (const target of [
      '/auth/?credentialToken=' + 'a'.repeat(64),
      '/auth/',
      '/auth/sso/api?credentialToken=<x>',
    ]) {
      const res = await rawRequest(emulator.url, 'GET', target);
      expect(res.status).toBe(404);
      expect(res.text).toContain('Invalid token');
    }
  });

  it('refuses bad credential requests with OVH errors', async () => {
    const post = (body: string, appKey = EMULATOR_APP.applicationKey) =>
      rawRequest(
        emulator.url,
        'POST',
        '/1.0/auth/credential',
        { 'X-Ovh-Application': appKey, 'Content-Type': 'application/json' },
        body,
      );
    expect((await post('{"accessRules":[{"method":"GET","path":"/me"}]}', 'nope')).json()).toMatchObject({
      errorCode: 'INVALID_KEY',
    });
    const badRules = await post('{"accessRules":[{"method":"PATCH","path":"me"}]}');
    expect(badRules.status).toBe(400);
    expect(badRules.json<{ message: string }>().message).toContain('accessRules[0].method');
    expect((await post('not json')).json()).toMatchObject({ message: 'Invalid JSON received' });
    expect((await post('{"accessRules":[{"method":"GET","path":"/"}],"allowedIPs":["nope"]}')).status).toBe(
      400,
    );
    expect(
      (await post('{"accessRules":[{"method":"GET","path":"/"}],"redirection":"javascript:x"}')).status,
    ).toBe(400);
    // Trailing slash (perl-ovh), explicit nulls (python-ovh) and stray auth headers (php-ovh) are fine.
    const ok = await rawRequest(
      emulator.url,
      'POST',
      '/1.0/auth/credential/',
      {
        'X-Ovh-Application': EMULATOR_APP.applicationKey,
        'X-Ovh-Consumer': 'old',
        'X-Ovh-Signature': '$1$bogus',
        'Content-Type': 'application/json',
      },
      '{"accessRules":[{"method":"GET","path":"/"}],"redirection":null,"allowedIPs":null}',
    );
    expect(ok.status).toBe(200);
    expect(ok.json()).toMatchObject({ state: 'pendingValidation' });
  });
});

describe('emulator credential management routes', () => {
  let emulator: RunningEmulator;
  let client: OvhUpstreamClient;

  beforeAll(async () => {
    emulator = await startTestEmulator({ errorStyle: 'current' });
    client = new OvhUpstreamClient();
  });

  afterAll(async () => {
    await client.close();
    await emulator.close();
  });

  const as = (consumerKey: string) => (method: string, path: string, body?: unknown) =>
    client.call({
      appKey: EMULATOR_APP.applicationKey,
      appSecret: EMULATOR_APP.applicationSecret,
      consumerKey,
      endpointBaseUrl: endpointOf(emulator),
      method,
      path,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  it('exposes currentCredential with the auth.ApiCredential fields', async () => {
    const ck = await issueValidatedConsumerKey(emulator, [{ method: 'GET', path: '/me' }], {
      validitySeconds: null,
    });
    const view = responseJson<Record<string, unknown>>(await as(ck)('GET', '/auth/currentCredential'))!;
    expect(Object.keys(view).sort()).toEqual(
      [
        'allowedIPs',
        'applicationId',
        'creation',
        'credentialId',
        'expiration',
        'lastUse',
        'ovhSupport',
        'rules',
        'status',
      ].sort(),
    );
    expect(view).toMatchObject({
      applicationId: 1001,
      ovhSupport: false,
      status: 'validated',
      expiration: null,
      allowedIPs: null,
      rules: [{ method: 'GET', path: '/me' }],
    });
    expect(Number.isInteger(view.credentialId)).toBe(true);
    expect(view.creation).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);

    const details = responseJson<Record<string, unknown>>(await as(ck)('GET', '/auth/details'))!;
    expect(details).toMatchObject({
      account: 'xx1111-ovh',
      method: 'account',
      allowedRoutes: [{ method: 'GET', path: '/me' }],
    });
  });

  it('lists, filters, reads and deletes credentials, and deletes applications', async () => {
    const rules = [...recursiveRules(['GET', 'DELETE'], '/me/api')];
    const admin = await issueValidatedConsumerKey(emulator, rules);
    const victim = await issueValidatedConsumerKey(emulator, [{ method: 'GET', path: '/me' }]);
    const otherAccount = await issueValidatedConsumerKey(emulator, [{ method: 'GET', path: '/me' }], {
      nichandle: 'yy2222-ovh',
    });
    const call = as(admin);

    const ids = responseJson<number[]>(await call('GET', '/me/api/credential'))!;
    const victimId = emulator.state.credentials.get(victim)!.credentialId;
    const otherId = emulator.state.credentials.get(otherAccount)!.credentialId;
    expect(ids).toContain(victimId);
    expect(ids).not.toContain(otherId);
    expect(responseJson(await call('GET', '/me/api/credential?status=refused'))).toEqual([]);
    expect(
      responseJson<number[]>(await call('GET', '/me/api/credential?applicationId=1001&status=validated')),
    ).toContain(victimId);
    expect((await call('GET', '/me/api/credential?status=bogus')).status).toBe(400);

    expect(responseJson(await call('GET', `/me/api/credential/${victimId}`))).toMatchObject({
      credentialId: victimId,
    });
    expect(responseJson(await call('GET', `/me/api/credential/${victimId}/application`))).toEqual({
      applicationId: 1001,
      applicationKey: EMULATOR_APP.applicationKey,
      name: EMULATOR_APP.name,
      description: EMULATOR_APP.description,
      status: 'active',
    });
    const foreign = await call('GET', `/me/api/credential/${otherId}`);
    expect(foreign.status).toBe(404);
    expect(responseJson(foreign)).toMatchObject({ class: 'Client::NotFound' });

    const deleted = await call('DELETE', `/me/api/credential/${victimId}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.toString()).toBe('null');
    expect((await as(victim)('GET', '/me')).error).toMatchObject({ kind: 'not-credential' });

    expect(responseJson(await call('GET', '/me/api/application'))).toEqual([1001]);
    expect(responseJson(await call('GET', '/me/api/application/1001'))).toMatchObject({
      applicationId: 1001,
    });
    expect((await call('GET', '/me/api/application/1002')).status).toBe(404);
    expect((await call('DELETE', '/me/api/application/1001')).status).toBe(200);
    // Every credential of the application on this account is gone, the caller's included.
    expect((await call('GET', '/me/api/credential')).error).toMatchObject({ kind: 'not-credential' });
    expect((await as(otherAccount)('GET', '/me')).status).toBe(200);
  });

  it('expires the credential on logout', async () => {
    const ck = await issueValidatedConsumerKey(emulator, [{ method: 'GET', path: '/me' }]);
    const logout = await as(ck)('POST', '/auth/logout');
    expect(logout.status).toBe(200);
    expect(logout.body.toString()).toBe('null');
    const after = await as(ck)('GET', '/me');
    expect(after.status).toBe(403);
    expect(responseJson(after)).toEqual({
      class: 'Client::Forbidden',
      message: 'This credential is not valid',
    });
  });

  it('validates DNS record input and filters records', async () => {
    const ck = await issueValidatedConsumerKey(emulator, [
      { method: 'GET', path: '/*' },
      { method: 'POST', path: '/domain/zone/*' },
      { method: 'PUT', path: '/domain/zone/*' },
    ]);
    const call = as(ck);
    expect(responseJson(await call('GET', '/domain/zone/example.com/record?fieldType=A'))).toEqual([
      5000001, 5000002,
    ]);
    expect(
      responseJson(await call('GET', '/domain/zone/example.com/record?fieldType=A&subDomain=www')),
    ).toEqual([5000002]);
    expect(responseJson(await call('GET', '/domain/zone/example.com/record?subDomain='))).toEqual([
      5000001, 5000003, 5000004,
    ]);
    const bad = await call('POST', '/domain/zone/example.com/record', { fieldType: 'BOGUS', target: 'x' });
    expect(bad.status).toBe(400);
    expect(responseJson(bad)).toMatchObject({ class: 'Client::BadRequest' });
    expect((await call('PUT', '/domain/zone/example.com/record/5000002', { ttl: -1 })).status).toBe(400);
    expect((await call('PUT', '/domain/zone/example.com/record/999', { ttl: 1 })).status).toBe(404);
    expect(
      (await call('POST', '/domain/zone/other.org/record', { fieldType: 'A', target: '192.0.2.1' })).status,
    ).toBe(404);
    const refresh = await call('POST', '/domain/zone/example.com/refresh');
    expect(refresh.status).toBe(200);
    expect(responseJson(await call('GET', '/domain/zone/example.com'))).toMatchObject({
      name: 'example.com',
    });
  });
});
