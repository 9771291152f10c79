import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { keepExtendedProtocolBatchesTogether } from './embedded-socket-queue';

export interface EmbeddedPostgres {
  url: string;
  dataDir: string | null;
  stop(): Promise<void>;
}

// The cache invalidation channel of the migrations' triggers (@app/grants INVALIDATION_CHANNEL).
export const EMBEDDED_LISTEN_CHANNELS = ['broker_invalidate'];

let shared: { server: Promise<EmbeddedPostgres>; users: number } | undefined;

// PGlite served over the Postgres wire protocol on a loopback port, so the same
// pg driver, TypeORM and migrations run as against a real server. One machine,
// one process: apps in the same process share it.
export async function startEmbeddedPostgres(dataDir: string | null): Promise<EmbeddedPostgres> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  let dir: string | null = null;
  if (dataDir) {
    dir = resolve(dataDir, 'pglite');
    mkdirSync(dir, { recursive: true });
  }
  const db = await PGlite.create(dir ? { dataDir: dir } : {});
  // One backend session serves every connection: LISTEN once for the process, and the
  // notifications reach it through the committing connection (see notifications.ts).
  for (const channel of EMBEDDED_LISTEN_CHANNELS) await db.exec(`LISTEN ${channel}`);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 32 });
  keepExtendedProtocolBatchesTogether(server);
  await server.start();
  const address = server.getServerConn();
  const port = Number(address.split(':').pop());
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dataDir: dir,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

export async function acquireSharedEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  if (!shared) {
    const logger = new Logger('Database');
    logger.warn(
      `DATABASE_URL is not set: starting the embedded PostgreSQL (PGlite) with its data in ${resolve(dataDir, 'pglite')}. ` +
        'This is the single-machine mode; set DATABASE_URL to a PostgreSQL server for production or to run several instances.',
    );
    shared = { server: startEmbeddedPostgres(dataDir), users: 0 };
  }
  shared.users += 1;
  const current = shared;
  const embedded = await current.server;
  return {
    ...embedded,
    async stop() {
      current.users -= 1;
      if (current.users === 0 && shared === current) {
        shared = undefined;
        await embedded.stop();
      }
    },
  };
}
