import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { ReadinessService } from '../health/readiness.service';
import { assignRequestId } from '../request-id';

export interface HttpAppOptions {
  jsonLimit?: string;
  trustProxy?: boolean | number | string;
}

// Settings both apps share: body limits, no fingerprinting header, and
// `Connection: close` once shutdown starts so keep-alive clients move on.
export function configureHttpApp(app: NestExpressApplication, options: HttpAppOptions = {}): void {
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? 'loopback');
  app.useBodyParser('json', { limit: options.jsonLimit ?? '256kb' });
  app.useBodyParser('urlencoded', { limit: '64kb', extended: false });
  const readiness = app.get(ReadinessService);
  app.use((req: Request, res: Response, next: NextFunction) => {
    (req as Request & { id?: string }).id ??= assignRequestId(req, res);
    if (readiness.isShuttingDown()) res.setHeader('Connection', 'close');
    next();
  });
}

// SIGTERM/SIGINT: readiness flips to 503 at once and responses carry
// `Connection: close`; for `drainMs` the apps keep serving (a load balancer
// notices and keep-alive clients move on); then the listeners stop and wait for
// the requests in flight; only then do the apps close (database last), so no
// accepted request loses its database. Past drain + grace the process exits anyway.
export function installGracefulShutdown(
  apps: INestApplication[],
  graceMs: number,
  log: (m: string) => void,
  drainMs = 0,
): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(
      `${signal} received: not ready any more, draining for ${drainMs} ms, then finishing in-flight requests (up to ${graceMs} ms)`,
    );
    for (const app of apps) app.get(ReadinessService).markShuttingDown();
    const force = setTimeout(() => {
      log('grace period over: exiting with requests still in flight');
      process.exit(1);
    }, drainMs + graceMs);
    force.unref();
    new Promise((resolve) => setTimeout(resolve, drainMs))
      .then(() => Promise.all(apps.map((a) => closeListener(a))))
      .then(() => Promise.all(apps.map((a) => a.close())))
      .then(() => {
        clearTimeout(force);
        log('shutdown complete');
        process.exit(0);
      })
      .catch((e: unknown) => {
        log(`shutdown failed: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

// Stops accepting connections and resolves once every open one has ended
// (idle keep-alive sockets are closed at once, busy ones after their response).
function closeListener(app: INestApplication): Promise<void> {
  const server = app.getHttpServer() as Server;
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
