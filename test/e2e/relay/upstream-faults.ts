import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { RelayLookups } from '@app/relay-core';
import type { RelayInstance, StubbedRelay } from './relay-harness';

const FIXTURES = join(__dirname, '../ovh-emulator/fixtures');
const noop = () => undefined;

// An https upstream with a self-signed certificate (the emulator's test-only localhost pair).
// mode 'tls': it completes handshakes and answers /auth/time (a relay that does not trust the
// certificate never gets that far); mode 'hang': it accepts the TCP connection and never starts
// the handshake, so the relay's connect phase (TCP + TLS, undici's connect timeout) hangs.
export interface TlsUpstream {
  url: string;
  mode: 'tls' | 'hang';
  // HTTP requests that made it through a handshake
  requests: number;
  openSockets(): number;
  close(): Promise<void>;
}

export async function startTlsUpstream(mode: TlsUpstream['mode']): Promise<TlsUpstream> {
  const sockets = new Set<Socket>();
  const state = { mode, requests: 0 };
  const https = createHttpsServer(
    {
      key: readFileSync(join(FIXTURES, 'localhost-key.pem')),
      cert: readFileSync(join(FIXTURES, 'localhost-cert.pem')),
    },
    (req, res) => {
      state.requests++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.url?.endsWith('/auth/time') ? String(Math.floor(Date.now() / 1000)) : '{}');
    },
  );
  https.on('tlsClientError', noop);
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', noop);
    if (state.mode === 'tls') https.emit('connection', socket);
    // read (and drop) whatever arrives, so a client closing the connection is noticed
    else socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `https://127.0.0.1:${port}`,
    openSockets: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
}

// Points the delegated account's application at `base` and makes `instances` reload the
// signing material (which carries the endpoint) on their next call.
export async function pointAccountAt(r: StubbedRelay, base: string, instances: RelayInstance[]) {
  await r.relay.app.app
    .get<DataSource>(getDataSourceToken())
    .query('UPDATE applications SET endpoint_base_url = $1 WHERE id = $2', [
      `${base}/1.0`,
      r.account.applicationId,
    ]);
  for (const instance of instances)
    instance.app.app.get(RelayLookups).forgetMaterial(r.account.consumerKeyId);
}

export interface CallResult {
  status: number;
  relayError?: string;
  retryAfter?: string;
  body: string;
  elapsedMs: number;
}

// A keep-alive HTTP client towards the relay (many calls without a new socket each).
export function relayClient(port: number, maxSockets: number) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const call = (target: string, token: string, timeoutMs = 10_000): Promise<CallResult> =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: target,
          method: 'GET',
          agent,
          headers: { authorization: `Bearer ${token}` },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              relayError: res.headers['x-relay-error'] as string | undefined,
              retryAfter: res.headers['retry-after'],
              body: Buffer.concat(chunks).toString('utf8'),
              elapsedMs: performance.now() - started,
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer from the relay within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  return { call, close: () => agent.destroy() };
}

export async function waitFor(check: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

let gcFn: (() => void) | undefined;
// Heap used after a full collection (V8's gc exposed at runtime; jest runs without --expose-gc).
export function heapAfterGc(): number {
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
  gcFn();
  return process.memoryUsage().heapUsed;
}

export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
