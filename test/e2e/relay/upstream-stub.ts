import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface StubRequest {
  method: string;
  target: string;
  headers: IncomingMessage['headers'];
  rawHeaders: string[];
  body: Buffer;
}

export type StubBehaviour = (req: StubRequest, res: ServerResponse) => void;

export interface UpstreamStub {
  url: string;
  port: number;
  // Business calls only (not /auth/time), in arrival order, exactly as received.
  requests: StubRequest[];
  timeRequests: number;
  offsetSeconds: number;
  // TCP connections the stub holds open right now (the relay's pooled or hanging sockets).
  openSockets(): number;
  behave(behaviour: StubBehaviour | null): void;
  reset(): void;
  close(): Promise<void>;
}

export const STUB_JSON = JSON.stringify({
  zone: 'example.com',
  records: Array.from({ length: 20 }, (_, i) => i),
});

export function defaultAnswer(_req: StubRequest, res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'x-ovh-queryid': 'EU.ext-1.stub.1',
    'x-pagination-cursor-next': 'abc',
    'set-cookie': 'tracking=1; Path=/',
    connection: 'keep-alive, x-hop',
    'x-hop': 'secret-hop',
    'x-internal-debug': 'upstream-only',
  });
  res.end(STUB_JSON);
}

// An OVHcloud stand-in that counts calls and records exactly what it received (for R2 and the
// S/H items). /auth/time answers the stub's clock (shifted by offsetSeconds).
export async function startUpstreamStub(): Promise<UpstreamStub> {
  let behaviour: StubBehaviour | null = null;
  const sockets = new Set<Socket>();
  const stub: Partial<UpstreamStub> & {
    requests: StubRequest[];
    timeRequests: number;
    offsetSeconds: number;
  } = {
    requests: [],
    timeRequests: 0,
    offsetSeconds: 0,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry: StubRequest = {
        method: req.method ?? '',
        target: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks),
      };
      if (/^\/(1\.0|v1|v2)\/auth\/time$/.test(entry.target)) {
        stub.timeRequests++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(String(Math.floor(Date.now() / 1000) + stub.offsetSeconds));
        return;
      }
      stub.requests.push(entry);
      (behaviour ?? defaultAnswer)(entry, res);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(stub, {
    url: `http://127.0.0.1:${port}`,
    port,
    openSockets: () => sockets.size,
    behave(b: StubBehaviour | null) {
      behaviour = b;
    },
    reset() {
      stub.requests.length = 0;
      behaviour = null;
      stub.offsetSeconds = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  }) as UpstreamStub;
}
