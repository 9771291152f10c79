import fc from 'fast-check';
import { isCallGranted, verifyOvhSignature } from '@app/ovh-protocol';
import { EMULATOR_APP } from '../../utils/start-emulator';
import { rawRequest } from './raw-http';
import { startStubbedRelay, type StubbedRelay } from './relay-harness';

// SECURITY-CHECKLIST D3 (R1-R4): "reject" means a 4xx and no upstream call, asserted with the
// counting stub.
describe('relay request targets and methods (R1-R4)', () => {
  let r: StubbedRelay;
  let token: string;
  let grantRules: { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string }[];

  beforeAll(async () => {
    r = await startStubbedRelay();
    const created = await r.grant();
    token = created.credentials.bearerToken;
    grantRules = created.grant.accessRules;
  });

  afterAll(async () => {
    await r?.close();
  });

  beforeEach(() => r.stub.reset());

  const send = (target: string | Buffer, method = 'GET') =>
    rawRequest(
      r.relay.port,
      Buffer.concat([
        Buffer.from(`${method} `, 'latin1'),
        typeof target === 'string' ? Buffer.from(target, 'latin1') : target,
        Buffer.from(
          ` HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`,
          'latin1',
        ),
      ]),
    );

  const R1_TARGETS: [string, string | Buffer][] = [
    ['.. segment', '/1.0/domain/../me'],
    ['. segment', '/1.0/domain/./zone'],
    ['%2e%2e', '/1.0/domain/%2e%2e/me'],
    ['.%2e', '/1.0/domain/.%2e/me'],
    ['%2E%2e', '/1.0/domain/%2E%2e/me'],
    ['%2f', '/1.0/domain%2fzone'],
    ['%2F', '/1.0/domain%2Fzone'],
    ['%5c', '/1.0/domain%5czone'],
    ['backslash', '/1.0/domain\\zone'],
    ['double encoding %252e', '/1.0/domain/%252e%252e/me'],
    ['%00', '/1.0/domain/zone%00'],
    ['; parameters', '/1.0/domain;jsessionid=1/zone'],
    ['overlong %c0%ae', '/1.0/domain/%c0%ae%c0%ae/me'],
    ['fullwidth dot raw', Buffer.from('/1.0/domain/\uff0e\uff0e/me', 'utf8')],
    ['fullwidth slash encoded', '/1.0/domain%ef%bc%8fzone'],
    ['fullwidth dot encoded', '/1.0/domain/%ef%bc%8e%ef%bc%8e/me'],
    ['control character', '/1.0/domain/%01zone'],
    ['raw control character', '/1.0/domain/\u0001zone'],
    ['fragment', '/1.0/domain/zone#frag'],
    ['// at the start', '//1.0/domain/zone'],
    ['// inside', '/1.0/domain//zone'],
    ['absolute-form', 'http://127.0.0.1:1/1.0/domain/zone'],
    ['absolute-form to another host', 'http://169.254.169.254/1.0/domain/zone'],
    ['path over 2 KiB', `/1.0/domain/${'a'.repeat(2100)}`],
    ['query over 4 KiB', `/1.0/domain/zone?q=${'a'.repeat(4200)}`],
    ['unknown branch', '/2.0/domain/zone'],
  ];

  it.each(R1_TARGETS)('R1 rejects %s without calling upstream', async (_name, target) => {
    const res = await send(target);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(r.stub.requests).toHaveLength(0);
  });

  it('R1 rejects an authority-form (CONNECT) target without calling upstream', async () => {
    const res = await send('127.0.0.1:5432', 'CONNECT');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(r.stub.requests).toHaveLength(0);
  });

  it('R3 decides case, trailing-slash and double-slash variants consistently, forwarding the judged bytes', async () => {
    const upper = await send('/1.0/DOMAIN/zone');
    expect(upper.status).toBe(403);
    expect(upper.headers['x-relay-error']).toBe('NOT_GRANTED_BY_GRANT');
    const slash = await send('/1.0/domain/zone/');
    expect(slash.status).toBe(200);
    const query = await send('/1.0/domain/zone?b=2&a=%41');
    expect(query.status).toBe(200);
    expect((await send('/1.0/domain//zone')).status).toBe(400);
    expect(r.stub.requests.map((q) => q.target)).toEqual(['/1.0/domain/zone/', '/1.0/domain/zone?b=2&a=%41']);
  });

  it.each(['TRACE', 'CONNECT', 'OPTIONS', 'PATCH', 'PROPFIND', 'FOO'])('R4 rejects %s', async (method) => {
    const res = await send('/1.0/domain/zone', method);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(r.stub.requests).toHaveLength(0);
  });

  it("R4 HEAD follows GET's rule", async () => {
    expect((await send('/1.0/domain/zone', 'HEAD')).status).toBe(200);
    expect(r.stub.requests.map((q) => q.method)).toEqual(['HEAD']);
    const refused = await send('/1.0/dedicated/server', 'HEAD');
    expect(refused.status).toBe(403);
    expect(r.stub.requests).toHaveLength(1);
  });

  // R2: for any generated target, either the relay rejects it (4xx, nothing upstream), or the
  // stub receives exactly one request to its own host, whose target is what the client sent,
  // which an allowed rule grants, and whose signature recomputes over exactly that URL and body.
  it('R2 property: rejected, or forwarded exactly once, exactly as judged, correctly signed', async () => {
    const segment = fc.oneof(
      fc.constantFrom('domain', 'zone', 'example.com', 'record', 'me', 'DOMAIN', '.', '..', '', '*'),
      fc.constantFrom(
        '%2e',
        '%2e%2e',
        '%2f',
        '%5c',
        '%00',
        '%252e',
        '%c0%ae',
        '%ef%bc%8e',
        '%41',
        '%7e',
        ';x',
        '\\',
      ),
      fc.stringMatching(/^[A-Za-z0-9._~-]{1,8}$/),
    );
    const target = fc
      .tuple(
        fc.constantFrom('/1.0', '/v1', '/v2', '/1.0', '', '/2.0'),
        fc.constantFrom(
          'domain',
          'domain/zone',
          'domain/zone/example.com/record',
          'me',
          'dedicated',
          'Domain',
        ),
        fc.array(segment, { minLength: 0, maxLength: 4 }),
        fc.option(fc.stringMatching(/^[A-Za-z0-9=&%._-]{0,12}$/), { nil: undefined }),
      )
      .map(
        ([branch, head, segments, query]) =>
          `${branch}/${[head, ...segments].join('/')}${query === undefined ? '' : `?${query}`}`,
      );

    let forwarded = 0;
    await fc.assert(
      fc.asyncProperty(target, fc.constantFrom('GET', 'POST'), async (t, method) => {
        r.stub.reset();
        const body = method === 'POST' ? '{"fieldType":"A","target":"192.0.2.1"}' : '';
        const res = await rawRequest(
          r.relay.port,
          `${method} ${t} HTTP/1.1\r\nHost: evil.example\r\nX-Forwarded-Host: evil.example\r\nAuthorization: Bearer ${token}\r\n` +
            `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
        if (res.status >= 400 && res.status < 500) {
          expect(r.stub.requests).toHaveLength(0);
          return;
        }
        expect(res.status).toBe(200);
        expect(r.stub.requests).toHaveLength(1);
        forwarded++;
        const got = r.stub.requests[0];
        expect(got.headers.host).toBe(`127.0.0.1:${r.stub.port}`);
        expect(got.target).toBe(t);
        expect(got.method).toBe(method);
        expect(got.body.toString('utf8')).toBe(body);
        const relative = t.replace(/^\/(1\.0|v1|v2)/, '').split('?')[0] || '/';
        expect(isCallGranted(grantRules, method, relative)).toBe(true);
        expect(
          verifyOvhSignature({
            appSecret: EMULATOR_APP.applicationSecret,
            consumerKey: r.account.realConsumerKey,
            method,
            url: `${r.stub.url}${t}`,
            body: got.body,
            timestamp: String(got.headers['x-ovh-timestamp']),
            signature: String(got.headers['x-ovh-signature']),
          }),
        ).toBe(true);
      }),
      { numRuns: 200, seed: Number(process.env.FC_SEED ?? 20260101) },
    );
    // The generator must exercise both outcomes, not just refusals.
    expect(forwarded).toBeGreaterThan(10);
  });
});
