// Serves embedded engines (PGlite over the Postgres wire protocol) to the test
// workers when no PostgreSQL server answers. Jest runs test files inside a VM
// that refuses PGlite's dynamic import(), so the engines live here, in a plain
// Node child of the jest process (started by global-setup.ts, killed by
// global-teardown.ts). Workers ask for one over a loopback HTTP endpoint:
//   POST   /engines {empty?: boolean, owner?: number} -> {id, url}
//   DELETE /engines/:id                                -> 204
// Each engine is a fresh in-memory PGlite behind a PGLiteSocketServer with as
// many connections as the product allows. Migrated engines are cloned from a
// template data directory migrated once (lazily, on the first request).
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { keepExtendedProtocolBatchesTogether } from '../../libs/database/src/embedded-socket-queue';
import { buildTypeOrmOptions } from '../../libs/database/src/typeorm-options';

// the product's embedded engine (libs/database/src/embedded-postgres.ts) allows 32
const MAX_CONNECTIONS = 32;

type PGliteModule = typeof import('@electric-sql/pglite');
type SocketModule = typeof import('@electric-sql/pglite-socket');
type PGliteInstance = InstanceType<PGliteModule['PGlite']>;
type SocketServer = InstanceType<SocketModule['PGLiteSocketServer']>;

interface Engine {
  id: string;
  url: string;
  owner: number | null;
  db: PGliteInstance;
  server: SocketServer;
}

const engines = new Map<string, Engine>();
let modules: Promise<{
  PGlite: PGliteModule['PGlite'];
  PGLiteSocketServer: SocketModule['PGLiteSocketServer'];
}>;
let template: Promise<Blob> | undefined;

function load(): typeof modules {
  modules ??= (async () => {
    const { PGlite } = await import('@electric-sql/pglite');
    const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
    return { PGlite, PGLiteSocketServer };
  })();
  return modules;
}

async function serve(db: PGliteInstance, owner: number | null): Promise<Engine> {
  const { PGLiteSocketServer } = await load();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: MAX_CONNECTIONS });
  // as the product does (libs/database/src/embedded-postgres.ts)
  keepExtendedProtocolBatchesTogether(server);
  await server.start();
  const port = Number(server.getServerConn().split(':').pop());
  const engine: Engine = {
    id: randomBytes(6).toString('hex'),
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    owner,
    db,
    server,
  };
  engines.set(engine.id, engine);
  return engine;
}

async function stop(engine: Engine): Promise<void> {
  engines.delete(engine.id);
  await engine.server.stop().catch(() => undefined);
  await engine.db.close().catch(() => undefined);
}

// every migration applied once, then dumped; each migrated engine loads the dump
function migratedTemplate(): Promise<Blob> {
  template ??= (async () => {
    const { PGlite } = await load();
    const engine = await serve(await PGlite.create(), null);
    try {
      const ds = new DataSource(buildTypeOrmOptions({ url: engine.url, poolSize: 1 }));
      await ds.initialize();
      try {
        await ds.runMigrations({ transaction: 'each' });
      } finally {
        await ds.destroy();
      }
      return await engine.db.dumpDataDir('none');
    } finally {
      await stop(engine);
    }
  })();
  template.catch(() => (template = undefined));
  return template;
}

async function createEngine(empty: boolean, owner: number | null): Promise<Engine> {
  const { PGlite } = await load();
  const db = empty ? await PGlite.create() : await PGlite.create({ loadDataDir: await migratedTemplate() });
  return serve(db, owner);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

const control = createServer((req, res) => {
  void (async () => {
    try {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'POST' && path === '/engines') {
        const raw = await readBody(req);
        const input = (raw ? JSON.parse(raw) : {}) as { empty?: boolean; owner?: number };
        const engine = await createEngine(input.empty === true, input.owner ?? null);
        reply(res, 201, { id: engine.id, url: engine.url });
        return;
      }
      const match = /^\/engines\/([0-9a-f]+)$/.exec(path);
      if (req.method === 'DELETE' && match) {
        const engine = engines.get(match[1]);
        if (engine) await stop(engine);
        reply(res, 204);
        return;
      }
      if (req.method === 'GET' && path === '/engines') {
        reply(res, 200, { count: engines.size });
        return;
      }
      reply(res, 404, { message: 'unknown route' });
    } catch (e) {
      reply(res, 500, { message: e instanceof Error ? e.message : String(e) });
    }
  })();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function shutdown(code: number): Promise<never> {
  control.close();
  await Promise.all([...engines.values()].map(stop));
  process.exit(code);
}

// a test file that died without dropping its engine (crashed worker) frees it;
// the whole server goes when the jest process that started it is gone
const parentPid = Number(process.env.BROKER_TEST_PARENT_PID) || process.ppid;
setInterval(() => {
  if (!alive(parentPid)) void shutdown(0);
  for (const engine of engines.values()) if (engine.owner !== null && !alive(engine.owner)) void stop(engine);
}, 1000).unref();
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));

control.listen(0, '127.0.0.1', () => {
  const address = control.address();
  if (!address || typeof address !== 'object') throw new Error('no control address');
  // the one line global-setup.ts waits for
  process.stdout.write(`EMBEDDED_ENGINE_CONTROL=http://127.0.0.1:${address.port}\n`);
});
