// Serves embedded engines (PGlite over the Postgres wire protocol) to the test
// workers when no PostgreSQL server answers. Jest runs test files inside a VM
// that refuses PGlite's dynamic import(), so the engines live here, in a plain
// Node child of the jest process (started by global-setup.ts, killed by
// global-teardown.ts). Workers ask for one over a loopback HTTP endpoint:
//   POST   /engines {empty?: boolean, owner?: number} -> {id, url}
//   DELETE /engines/:id                                -> 204
// Each engine is a fresh in-memory PGlite behind a PGLiteSocketServer with as
// many connections as the product allows, in a process of its own
// (embedded-engine-child.ts). Migrated engines are cloned from a template data
// directory migrated once (lazily, on the first request).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync, rmSync } from 'node:fs';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { keepExtendedProtocolBatchesTogether } from '../../libs/database/src/embedded-socket-queue';
import { buildTypeOrmOptions } from '../../libs/database/src/typeorm-options';

interface Engine {
  id: string;
  url: string;
  owner: number | null;
  child: ChildProcess;
  exited: Promise<void>;
}

const engines = new Map<string, Engine>();
let template: Promise<string> | undefined;
const templateFile = join(tmpdir(), `broker-test-engine-template-${process.pid}.tar`);

// Each engine runs in a process of its own (embedded-engine-child.ts): PGlite executes
// synchronously, so two workers' engines in one process would wait for each other.
function startEngineProcess(templatePath: string | null, owner: number | null): Promise<Engine> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', resolve(__dirname, 'embedded-engine-child.ts')],
    {
      cwd: resolve(__dirname, '../..'),
      env: {
        ...process.env,
        BROKER_TEST_PARENT_PID: String(process.pid),
        ...(templatePath ? { BROKER_ENGINE_TEMPLATE: templatePath } : {}),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  return new Promise((done, fail) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error('an embedded engine did not start within 60 s'));
    }, 60_000);
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const m = /ENGINE_URL=(\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout?.removeAllListeners('data');
      child.stdout?.resume();
      const engine: Engine = { id: randomBytes(6).toString('hex'), url: m[1], owner, child, exited };
      engines.set(engine.id, engine);
      void exited.then(() => engines.delete(engine.id));
      done(engine);
    });
    void exited.then(() => {
      clearTimeout(timer);
      fail(new Error('an embedded engine exited during start-up'));
    });
  });
}

async function stop(engine: Engine): Promise<void> {
  engines.delete(engine.id);
  engine.child.kill('SIGTERM');
  const timer = setTimeout(() => engine.child.kill('SIGKILL'), 10_000);
  await engine.exited;
  clearTimeout(timer);
}

// every migration applied once (here, in-process), dumped to a file each migrated engine loads
function migratedTemplate(): Promise<string> {
  template ??= (async () => {
    const { PGlite } = await import('@electric-sql/pglite');
    const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
    const db = await PGlite.create();
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
    keepExtendedProtocolBatchesTogether(server);
    await server.start();
    try {
      const port = Number(server.getServerConn().split(':').pop());
      const ds = new DataSource(
        buildTypeOrmOptions({ url: `postgres://postgres@127.0.0.1:${port}/postgres`, poolSize: 1 }),
      );
      await ds.initialize();
      try {
        await ds.runMigrations({ transaction: 'each' });
      } finally {
        await ds.destroy();
      }
      const dump = await db.dumpDataDir('none');
      writeFileSync(templateFile, Buffer.from(await dump.arrayBuffer()));
      return templateFile;
    } finally {
      await server.stop().catch(() => undefined);
      await db.close().catch(() => undefined);
    }
  })();
  template.catch(() => (template = undefined));
  return template;
}

async function createEngine(empty: boolean, owner: number | null): Promise<Engine> {
  return startEngineProcess(empty ? null : await migratedTemplate(), owner);
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
  rmSync(templateFile, { force: true });
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
