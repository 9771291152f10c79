// One embedded engine in a process of its own (started by embedded-engine-server.ts):
// PGlite runs its queries synchronously, so engines sharing a process would stall
// each other; one each lets two test workers use two cores.
//   BROKER_ENGINE_TEMPLATE: a data directory dump to start from (migrated), or unset
// Prints ENGINE_URL=<postgres url> once it listens; SIGTERM stops it.
import { readFileSync } from 'node:fs';
import { keepExtendedProtocolBatchesTogether } from '../../libs/database/src/embedded-socket-queue';

// the product's embedded engine (libs/database/src/embedded-postgres.ts) allows 32
const MAX_CONNECTIONS = 32;

async function main(): Promise<void> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const template = process.env.BROKER_ENGINE_TEMPLATE;
  const db = template
    ? await PGlite.create({ loadDataDir: new Blob([readFileSync(template)]) })
    : await PGlite.create();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: MAX_CONNECTIONS });
  keepExtendedProtocolBatchesTogether(server);
  await server.start();
  const port = Number(server.getServerConn().split(':').pop());
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.stop().catch(() => undefined);
    await db.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  const parent = Number(process.env.BROKER_TEST_PARENT_PID) || process.ppid;
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      void stop();
    }
  }, 1000).unref();
  process.stdout.write(`ENGINE_URL=postgres://postgres@127.0.0.1:${port}/postgres\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`embedded engine failed to start: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
