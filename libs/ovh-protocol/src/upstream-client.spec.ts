import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { computeOvhSignature } from './ovh-signature';
import { OvhUpstreamClient, OvhUpstreamError, responseJson } from './upstream-client';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: Seen, res: ServerResponse) => void;

const CREDS = { appKey: 'AK', appSecret: 'AS', consumerKey: 'CK' };

describe('OvhUpstreamClient', () => {
  let server: Server;
  let base: string;
  let seen: Seen[];
  let handler: Handler;
  let serverTime: number;
  let now: number;
  let client: OvhUpstreamClient;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const entry = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        };
        seen.push(entry);
        res.setHeader('X-Ovh-Queryid', `EU.test.${seen.length}`);
        if (entry.url.endsWith('/auth/time')) {
          res.end(String(serverTime));
          return;
        }
        handler(entry, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/1.0`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    seen = [];
    now = 1_700_000_000_500;
    serverTime = 1_700_000_010;
    handler = (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    };
    client = new OvhUpstreamClient({ clock: () => now, headersTimeoutMs: 300, timeSyncIntervalMs: 60_000 });
  });

  afterEach(async () => {
    await client.close();
  });

  it('syncs the time delta first and signs the literal URL and body', async () => {
    const body = '{"target":"tèsté"}';
    const response = await client.call({
      ...CREDS,
      endpointBaseUrl: base,
      method: 'POST',
      path: '/domain/zone/a.b/record?x=%C3%A9',
      body,
    });
    expect(response.status).toBe(200);
    expect(responseJson(response)).toEqual({ ok: true });
    expect(seen.map((s) => s.url)).toEqual(['/1.0/auth/time', '/1.0/domain/zone/a.b/record?x=%C3%A9']);
    expect(client.getTimeDelta(base)).toBe(10);
    const call = seen[1];
    expect(call.body).toBe(body);
    expect(call.headers['x-ovh-timestamp']).toBe('1700000010');
    expect(call.headers['x-ovh-application']).toBe('AK');
    expect(call.headers['x-ovh-consumer']).toBe('CK');
    expect(call.headers['content-type']).toBe('application/json');
    expect(call.headers['x-ovh-signature']).toBe(
      computeOvhSignature({
        appSecret: 'AS',
        consumerKey: 'CK',
        method: 'POST',
        url: `${base}/domain/zone/a.b/record?x=%C3%A9`,
        body,
        timestamp: 1700000010,
      }),
    );
  });

  it('reuses the delta and refreshes it after the sync interval', async () => {
    await client.call({ ...CREDS, endpointBaseUrl: base, method: 'GET', path: '/me' });
    await client.call({ ...CREDS, endpointBaseUrl: base, method: 'GET', path: '/me' });
    expect(seen.filter((s) => s.url.endsWith('/auth/time'))).toHaveLength(1);
    now += 61_000;
    serverTime += 70;
    await client.call({ ...CREDS, endpointBaseUrl: base, method: 'GET', path: '/me' });
    expect(seen.filter((s) => s.url.endsWith('/auth/time'))).toHaveLength(2);
    expect(client.getTimeDelta(base)).toBe(19);
  });

  it('resyncs and retries exactly once after QUERY_TIME_OUT', async () => {
    let calls = 0;
    handler = (req, res) => {
      calls++;
      if (calls === 1) {
        serverTime += 500;
        res.statusCode = 400;
        res.end('{"errorCode":"QUERY_TIME_OUT","httpCode":"400 Bad Request","message":"Query out of time"}');
        return;
      }
      res.end(JSON.stringify(req.headers['x-ovh-timestamp']));
    };
    const response = await client.call({ ...CREDS, endpointBaseUrl: base, method: 'GET', path: '/me' });
    expect(response.status).toBe(200);
    expect(response.attempts).toBe(2);
    expect(responseJson(response)).toBe('1700000510');
    expect(seen.map((s) => s.url)).toEqual(['/1.0/auth/time', '/1.0/me', '/1.0/auth/time', '/1.0/me']);
  });

  it('returns the second failure without a third attempt', async () => {
    handler = (_req, res) => {
      res.statusCode = 400;
      res.end('{"class":"Client::BadRequest","message":"Invalid signature"}');
    };
    const response = await client.call({ ...CREDS, endpointBaseUrl: base, method: 'GET', path: '/me' });
    expect(response.status).toBe(400);
    expect(response.attempts).toBe(2);
    expect(response.error).toMatchObject({ kind: 'signature', queryId: 'EU.test.4' });
    expect(seen.filter((s) => s.url === '/1.0/me')).toHaveLength(2);
  });

  it('does not retry other 400 errors and hands back their body', async () => {
    handler = (_req, res) => {
      res.statusCode = 400;
      res.end('{"message":"You provided an input body while none was expected"}');
    };
    const response = await client.call({ ...CREDS, endpointBaseUrl: base, method: 'GET', path: '/me' });
    expect(response.status).toBe(400);
    expect(response.attempts).toBe(1);
    expect(response.body.toString()).toContain('input body');
    expect(seen.filter((s) => s.url.endsWith('/me'))).toHaveLength(1);
  });

  it('returns redirects as-is without following them', async () => {
    handler = (_req, res) => {
      res.statusCode = 302;
      res.setHeader('location', 'http://169.254.169.254/latest/meta-data');
      res.end();
    };
    const response = await client.call({ ...CREDS, endpointBaseUrl: base, method: 'GET', path: '/me' });
    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('http://169.254.169.254/latest/meta-data');
    expect(seen).toHaveLength(2);
  });

  it('handles 204 with an empty body', async () => {
    handler = (_req, res) => {
      res.statusCode = 204;
      res.end();
    };
    const response = await client.call({ ...CREDS, endpointBaseUrl: base, method: 'DELETE', path: '/x/1' });
    expect(response.status).toBe(204);
    expect(response.body.length).toBe(0);
    expect(responseJson(response)).toBeNull();
    expect(seen[1].headers['content-type']).toBeUndefined();
  });

  it('keeps the query id on successes and errors', async () => {
    const ok = await client.call({ ...CREDS, endpointBaseUrl: base, method: 'GET', path: '/me' });
    expect(ok.queryId).toBe('EU.test.2');
    handler = (_req, res) => {
      res.statusCode = 403;
      res.end('{"class":"Client::Forbidden","message":"This call has not been granted"}');
    };
    const denied = await client.call({ ...CREDS, endpointBaseUrl: base, method: 'GET', path: '/me' });
    expect(denied.queryId).toBe('EU.test.3');
    expect(denied.error).toMatchObject({ kind: 'not-granted', queryId: 'EU.test.3' });
  });

  it('fails with HEADERS_TIMEOUT when upstream hangs', async () => {
    handler = () => undefined;
    await expect(
      client.call({ ...CREDS, endpointBaseUrl: base, method: 'GET', path: '/hang' }),
    ).rejects.toMatchObject({
      name: 'OvhUpstreamError',
      code: 'HEADERS_TIMEOUT',
    });
  });

  it('reports TIME_SYNC_FAILED, caused by CONNECTION_FAILED, when nothing listens', async () => {
    const error: unknown = await client.getTime('http://127.0.0.1:1/1.0').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OvhUpstreamError);
    expect((error as OvhUpstreamError).code).toBe('TIME_SYNC_FAILED');
    expect(((error as OvhUpstreamError).cause as OvhUpstreamError).code).toBe('CONNECTION_FAILED');
  });

  it('sends only the application key on unauthenticated calls, dropping caller X-Ovh headers', async () => {
    await client.unauthenticatedCall({
      endpointBaseUrl: base,
      appKey: 'AK',
      method: 'POST',
      path: '/auth/credential',
      body: '{"accessRules":[]}',
      headers: { 'X-Ovh-Consumer': 'spoof', 'X-Custom': '1' },
    });
    const h = seen[0].headers;
    expect(h['x-ovh-application']).toBe('AK');
    expect(h['x-ovh-consumer']).toBeUndefined();
    expect(h['x-ovh-signature']).toBeUndefined();
    expect(h['x-ovh-timestamp']).toBeUndefined();
    expect(h['x-custom']).toBe('1');
  });

  it('refuses a response body over the buffering limit', async () => {
    const small = new OvhUpstreamClient({ clock: () => now, maxBufferedResponseBytes: 10 });
    handler = (_req, res) => res.end('x'.repeat(100));
    await expect(
      small.call({ ...CREDS, endpointBaseUrl: base, method: 'GET', path: '/big' }),
    ).rejects.toMatchObject({
      code: 'RESPONSE_TOO_LARGE',
    });
    await small.close();
  });

  it('counts the bytes of an answer with no declared length against the limit', async () => {
    const small = new OvhUpstreamClient({ clock: () => now, maxBufferedResponseBytes: 10 });
    handler = (_req, res) => {
      res.write('x'.repeat(8));
      setTimeout(() => res.end('x'.repeat(8)), 20);
    };
    await expect(
      small.call({ ...CREDS, endpointBaseUrl: base, method: 'GET', path: '/chunked' }),
    ).rejects.toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
    await small.close();
  });

  it('reports RESPONSE_INTERRUPTED, not CONNECTION_FAILED, when the connection drops mid-answer', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"partial":');
      setTimeout(() => res.socket?.destroy(), 20);
    };
    await expect(
      client.call({ ...CREDS, endpointBaseUrl: base, method: 'GET', path: '/cut' }),
    ).rejects.toMatchObject({ code: 'RESPONSE_INTERRUPTED' });
  });

  it('waits past an informational 103 answer for the real one', async () => {
    handler = (_req, res) => {
      res.writeEarlyHints({ link: '</style.css>; rel=preload' });
      res.end('{"final":true}');
    };
    const response = await client.call({ ...CREDS, endpointBaseUrl: base, method: 'GET', path: '/hints' });
    expect(response.status).toBe(200);
    expect(responseJson(response)).toEqual({ final: true });
  });

  it('stops waiting with ABORTED when the caller aborts', async () => {
    handler = () => undefined;
    const controller = new AbortController();
    const pending = client.call({
      ...CREDS,
      endpointBaseUrl: base,
      method: 'GET',
      path: '/slow',
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('uses the /v2 branch when the path asks for it', async () => {
    await client.call({ ...CREDS, endpointBaseUrl: base, method: 'GET', path: '/v2/iam/policy' });
    expect(seen[1].url).toBe('/v2/iam/policy');
  });
});
