import { verifyOvhSignature } from '@app/ovh-protocol';
import { EMULATOR_APP } from '../../utils/start-emulator';
import { rawRequest } from './raw-http';
import { startStubbedRelay, type StubbedRelay } from './relay-harness';
import { STUB_JSON } from './upstream-stub';

// SECURITY-CHECKLIST D4 (H1-H7), with raw sockets so nothing normalises the bytes on the way.
describe('relay HTTP protocol and headers (H1-H7)', () => {
  let r: StubbedRelay;
  let token: string;

  beforeAll(async () => {
    r = await startStubbedRelay({
      RELAY_HEADERS_TIMEOUT_MS: '1000',
      RELAY_BODY_TIMEOUT_MS: '1000',
      RELAY_MAX_BODY_BYTES: '2048',
    });
    token = (await r.grant()).credentials.bearerToken;
  });

  afterAll(async () => {
    await r?.close();
  });

  beforeEach(() => r.stub.reset());

  const head = (lines: string[]) => `${lines.join('\r\n')}\r\n\r\n`;
  const auth = () => `Authorization: Bearer ${token}`;

  const SMUGGLING: [string, string][] = [
    [
      'Content-Length with Transfer-Encoding',
      head([
        'POST /1.0/domain/zone/x HTTP/1.1',
        'Host: a',
        auth(),
        'Content-Length: 4',
        'Transfer-Encoding: chunked',
      ]) + '0\r\n\r\n',
    ],
    [
      'two Content-Lengths',
      head([
        'POST /1.0/domain/zone/x HTTP/1.1',
        'Host: a',
        auth(),
        'Content-Length: 2',
        'Content-Length: 4',
      ]) + '{}{}',
    ],
    [
      'Transfer-Encoding: chunked, identity',
      head(['POST /1.0/domain/zone/x HTTP/1.1', 'Host: a', auth(), 'Transfer-Encoding: chunked, identity']) +
        '2\r\n{}\r\n0\r\n\r\n',
    ],
    [
      'Transfer-Encoding: xchunked',
      head(['POST /1.0/domain/zone/x HTTP/1.1', 'Host: a', auth(), 'Transfer-Encoding: xchunked']) +
        '2\r\n{}\r\n0\r\n\r\n',
    ],
    [
      'space before the colon of Transfer-Encoding',
      head(['POST /1.0/domain/zone/x HTTP/1.1', 'Host: a', auth(), 'Transfer-Encoding : chunked']) +
        '2\r\n{}\r\n0\r\n\r\n',
    ],
    ['obs-fold', head(['GET /1.0/domain/zone HTTP/1.1', 'Host: a', auth(), 'X-Pagination-Size: 1', ' 2'])],
    ['bare LF line endings', `GET /1.0/domain/zone HTTP/1.1\nHost: a\n${auth()}\n\n`],
  ];

  it.each(SMUGGLING)('H1 answers 400 and closes on %s, with no upstream call', async (_name, payload) => {
    const res = await rawRequest(r.relay.port, payload);
    expect(res.status === 400 || (res.status === 0 && res.closed)).toBe(true);
    expect(res.closed || res.headers.connection === 'close').toBe(true);
    expect(r.stub.requests).toHaveLength(0);
  });

  it('H2 refuses a duplicate Host; neither Host nor X-Forwarded-Host changes the upstream host', async () => {
    const dup = await rawRequest(
      r.relay.port,
      head(['GET /1.0/domain/zone HTTP/1.1', 'Host: a', 'Host: b', auth(), 'Connection: close']),
    );
    expect(dup.status).toBe(400);
    const spoofed = await rawRequest(
      r.relay.port,
      head([
        'GET /1.0/domain/zone HTTP/1.1',
        'Host: 169.254.169.254',
        'X-Forwarded-Host: 127.0.0.1:5432',
        'X-Forwarded-Proto: https',
        auth(),
        'Connection: close',
      ]),
    );
    expect(spoofed.status).toBe(200);
    const http10 = await rawRequest(r.relay.port, head(['GET /1.0/domain/zone HTTP/1.0', auth()]));
    expect(http10.status).toBe(200);
    expect(r.stub.requests.map((q) => q.headers.host)).toEqual([
      `127.0.0.1:${r.stub.port}`,
      `127.0.0.1:${r.stub.port}`,
    ]);
  });

  it('H3 keeps client credentials, cookies, X-Ovh-*, forwarding and hop-by-hop headers away from upstream', async () => {
    const res = await rawRequest(
      r.relay.port,
      head([
        'GET /1.0/domain/zone HTTP/1.1',
        'Host: a',
        auth(),
        'Cookie: session=canary-cookie',
        'X-Ovh-Application: canary-ak',
        'X-Ovh-Consumer: canary-ck',
        'X-Ovh-Batch: ,',
        'X-Forwarded-For: 10.0.0.1',
        'Forwarded: for=10.0.0.1',
        'Proxy-Authorization: Basic Y2FuYXJ5',
        'TE: trailers',
        'Connection: close, X-Ovh-Signature, X-Ovh-Timestamp, Keep-Alive',
        'Keep-Alive: timeout=5',
        'X-Pagination-Size: 5',
      ]),
    );
    expect(res.status).toBe(200);
    const got = r.stub.requests[0];
    const names = Object.keys(got.headers);
    for (const banned of [
      'authorization',
      'cookie',
      'x-forwarded-for',
      'forwarded',
      'proxy-authorization',
      'te',
      'keep-alive',
      'x-ovh-batch',
    ]) {
      expect(names).not.toContain(banned);
    }
    expect(JSON.stringify(got.rawHeaders)).not.toMatch(/canary|obg_/);
    expect(got.headers['x-ovh-application']).toBe(EMULATOR_APP.applicationKey);
    expect(got.headers['x-pagination-size']).toBe('5');
    expect(
      verifyOvhSignature({
        appSecret: EMULATOR_APP.applicationSecret,
        consumerKey: r.account.realConsumerKey,
        method: 'GET',
        url: `${r.stub.url}/1.0/domain/zone`,
        body: '',
        timestamp: String(got.headers['x-ovh-timestamp']),
        signature: String(got.headers['x-ovh-signature']),
      }),
    ).toBe(true);
  });

  it('H4 refuses NUL in a header value and header names outside the token syntax', async () => {
    const nul = await rawRequest(
      r.relay.port,
      head([
        'GET /1.0/domain/zone HTTP/1.1',
        'Host: a',
        auth(),
        'X-Pagination-Size: 1\u00002',
        'Connection: close',
      ]),
    );
    const badName = await rawRequest(
      r.relay.port,
      head([
        'GET /1.0/domain/zone HTTP/1.1',
        'Host: a',
        auth(),
        'X Pagination(Size): 1',
        'Connection: close',
      ]),
    );
    for (const res of [nul, badName]) expect(res.status === 400 || res.closed).toBe(true);
    expect(r.stub.requests).toHaveLength(0);
  });

  it('H5 strips upstream hop-by-hop headers and Set-Cookie, passes the query id and pagination', async () => {
    const res = await rawRequest(
      r.relay.port,
      head(['GET /1.0/domain/zone HTTP/1.1', 'Host: a', auth(), 'Connection: close']),
    );
    expect(res.status).toBe(200);
    expect(res.body).toBe(STUB_JSON);
    expect(res.headers['x-ovh-queryid']).toBe('EU.ext-1.stub.1');
    expect(res.headers['x-pagination-cursor-next']).toBe('abc');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    for (const dropped of ['set-cookie', 'x-hop', 'x-internal-debug', 'keep-alive'])
      expect(res.headers[dropped]).toBeUndefined();
  });

  it('H6 times out slow headers and slow bodies, answers 431 to huge headers and 413 to big bodies', async () => {
    const slowHead = 'GET /1.0/domain/zone HTTP/1.1\r\nHost: a\r\nX-Slow: ' + 'x'.repeat(5);
    const slowloris = await rawRequest(r.relay.port, slowHead.split(''), {
      delayBetweenMs: 250,
      timeoutMs: 6000,
    });
    expect(slowloris.closed).toBe(true);
    expect(slowloris.elapsedMs).toBeLessThan(2500);

    const slowBody = await rawRequest(
      r.relay.port,
      [head(['POST /1.0/domain/zone/x HTTP/1.1', 'Host: a', auth(), 'Content-Length: 10']), '{"a"'],
      { timeoutMs: 5000 },
    );
    expect(slowBody.status).toBe(408);
    expect(slowBody.elapsedMs).toBeLessThan(2500);

    const huge = await rawRequest(
      r.relay.port,
      head([
        'GET /1.0/domain/zone HTTP/1.1',
        'Host: a',
        auth(),
        `X-Pagination-Junk: ${'j'.repeat(17 * 1024)}`,
      ]),
    );
    expect(huge.status).toBe(431);

    const declared = await rawRequest(
      r.relay.port,
      head(['POST /1.0/domain/zone/x HTTP/1.1', 'Host: a', auth(), 'Content-Length: 4096']) +
        'x'.repeat(4096),
    );
    expect(declared.status).toBe(413);
    const chunk = 'x'.repeat(1500);
    const chunked = await rawRequest(
      r.relay.port,
      head(['POST /1.0/domain/zone/x HTTP/1.1', 'Host: a', auth(), 'Transfer-Encoding: chunked']) +
        `5dc\r\n${chunk}\r\n5dc\r\n${chunk}\r\n0\r\n\r\n`,
    );
    expect(chunked.status).toBe(413);
    expect(chunked.headers['x-relay-error']).toBe('BODY_TOO_LARGE');
    expect(r.stub.requests).toHaveLength(0);
  });

  it('H7 refuses WebSocket and other Upgrade attempts', async () => {
    const ws = await rawRequest(
      r.relay.port,
      head([
        'GET /1.0/domain/zone HTTP/1.1',
        'Host: a',
        auth(),
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      ]),
    );
    expect(ws.status).toBe(400);
    const h2c = await rawRequest(
      r.relay.port,
      head(['GET /1.0/domain/zone HTTP/1.1', 'Host: a', auth(), 'Upgrade: h2c', 'Connection: close']),
    );
    expect(h2c.status).toBe(400);
    expect(r.stub.requests).toHaveLength(0);
  });
});
