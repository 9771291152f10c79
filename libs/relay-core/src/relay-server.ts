import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface RelayServerOptions {
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

const APP_ROUTES = /^\/(health|metrics)(\/|\?|$)/;

// Puts the relay handler in front of Express: OVH API targets go straight to it (no router, no
// body parser, no interceptors), /health and /metrics stay with Nest. Also: a precise header
// timeout per connection (slowloris, H6: Node's own check only runs every 30 s), and upgrade
// attempts are answered 400 and closed (H7).
export function installRelayServer(
  server: Server,
  relay: RequestListener,
  options: RelayServerOptions,
): void {
  const appListeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    disarm(req.socket);
    res.once('finish', () => arm(req.socket, options.headersTimeoutMs));
    if (APP_ROUTES.test(req.url ?? '')) {
      for (const listener of appListeners) listener.call(server, req, res);
    } else {
      relay(req, res);
    }
  });
  server.on('connection', (socket: TimedSocket) => {
    socket.once('close', () => clearTimeout(socket[TIMER]));
    arm(socket, options.headersTimeoutMs);
  });
  server.on('upgrade', (_req: IncomingMessage, socket: Socket) => {
    socket.end(
      'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nX-Relay-Error: UPGRADE_NOT_SUPPORTED\r\nContent-Length: 0\r\n\r\n',
    );
  });
  // CONNECT (authority-form) would turn the relay into a TCP tunnel: never.
  server.on('connect', (_req: IncomingMessage, socket: Socket) => {
    socket.end(
      'HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\nX-Relay-Error: METHOD_NOT_ALLOWED\r\nContent-Length: 0\r\n\r\n',
    );
  });
  server.headersTimeout = options.headersTimeoutMs;
  server.requestTimeout = options.headersTimeoutMs + options.bodyTimeoutMs;
}

const TIMER = Symbol('relay-header-timer');
const BUSY = Symbol('relay-request-in-flight');
type TimedSocket = Socket & { [TIMER]?: NodeJS.Timeout; [BUSY]?: boolean };

// One timer per connection, rescheduled with refresh() rather than re-created per request: while
// a request is being answered it is marked busy, and a firing timer leaves it alone.
function arm(socket: TimedSocket, ms: number): void {
  if (socket.destroyed) return;
  socket[BUSY] = false;
  const timer = socket[TIMER];
  if (timer) {
    timer.refresh();
    return;
  }
  socket[TIMER] = setTimeout(() => {
    // Headers (or the next request on a kept-alive connection) did not arrive in time.
    if (!socket[BUSY] && !socket.destroyed) socket.destroy();
  }, ms);
  socket[TIMER].unref();
}

function disarm(socket: TimedSocket): void {
  socket[BUSY] = true;
}
