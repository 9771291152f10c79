import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
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
  let releaseLock = () => {};
  if (dataDir) {
    dir = resolve(dataDir, 'pglite');
    mkdirSync(dir, { recursive: true });
    releaseLock = lockDataDir(dir);
  }
  let db;
  try {
    db = await PGlite.create(dir ? { dataDir: dir } : {});
  } catch (e) {
    releaseLock();
    throw e;
  }
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
      releaseLock();
    },
  };
}

// PGlite has no postmaster.pid: two processes opening one data directory would corrupt
// it (e.g. the CLI while `npm start` runs). A pid file turns that into a clear refusal.
export function lockDataDir(dir: string): () => void {
  const lockPath = resolve(dir, 'broker.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          unlinkSync(lockPath);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(lockPath, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new Error(
          `the embedded database in ${dir} is in use by process ${holder}. Stop that process, or set DATABASE_URL ` +
            'to a PostgreSQL server to run several processes on one database.',
        );
      }
      unlinkSync(lockPath); // left by a process that is gone
    }
  }
  throw new Error(`could not lock the embedded database in ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
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
