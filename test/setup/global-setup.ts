import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildTypeOrmOptions } from '../../libs/database/src/typeorm-options';
import { adminQuery, serverAnswers, testDatabaseAdminUrl, withDatabase } from './test-engine';

// One database per test run, made from the real migrations. Test files clone it
// (CREATE DATABASE ... TEMPLATE), so each file starts from a clean schema.
// Without a reachable server the run falls back to the embedded engine, unless
// REQUIRE_REAL_POSTGRES=1 (CI), where that is an error.
export default async function globalSetup(): Promise<void> {
  const adminUrl = testDatabaseAdminUrl();
  const runId = `broker_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  process.env.BROKER_TEST_RUN_ID = runId;
  if (await serverAnswers(adminUrl)) {
    const template = `${runId}_tmpl`;
    await adminQuery(adminUrl, `CREATE DATABASE ${template}`);
    const ds = new DataSource(buildTypeOrmOptions({ url: withDatabase(adminUrl, template), poolSize: 2 }));
    await ds.initialize();
    try {
      await ds.runMigrations({ transaction: 'each' });
    } finally {
      await ds.destroy();
    }
    process.env.BROKER_TEST_ENGINE = 'postgres';
    process.env.BROKER_TEST_ADMIN_URL = adminUrl;
    process.env.BROKER_TEST_TEMPLATE = template;
    const where = new URL(adminUrl);
    console.log(
      `\n[test database] engine: PostgreSQL at ${where.hostname}:${where.port || 5432}, run ${runId}`,
    );
    return;
  }
  if (process.env.REQUIRE_REAL_POSTGRES === '1') {
    throw new Error(`REQUIRE_REAL_POSTGRES=1 but no PostgreSQL server answers at ${new URL(adminUrl).host}`);
  }
  process.env.BROKER_TEST_ENGINE = 'embedded';
  process.env.BROKER_TEST_EMBEDDED_CONTROL = await startEmbeddedEngineServer();
  console.log(
    '\n[test database] engine: embedded PGlite (no PostgreSQL server answered at TEST_DATABASE_URL)',
  );
}

// Jest's VM refuses PGlite's dynamic import(), so the embedded engines run in a
// plain Node child (test/setup/embedded-engine-server.ts); test files ask it for
// one through test/utils/test-database.ts. global-teardown.ts stops it.
async function startEmbeddedEngineServer(): Promise<string> {
  const root = resolve(__dirname, '../..');
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', resolve(__dirname, 'embedded-engine-server.ts')],
    {
      cwd: root,
      env: {
        ...process.env,
        BROKER_TEST_PARENT_PID: String(process.pid),
        TS_NODE_PROJECT: resolve(root, 'tsconfig.json'),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((done, fail) => {
    let out = '';
    const timer = setTimeout(
      () => fail(new Error('the embedded engine server did not start within 60 s')),
      60000,
    );
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const m = /EMBEDDED_ENGINE_CONTROL=(\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        done(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`the embedded engine server exited (${code}) before it started`));
    });
  });
  // the jest process must not wait for the child: teardown kills it by pid
  child.stdout.removeAllListeners('data');
  child.stdout.resume();
  child.removeAllListeners('exit');
  (child.stdout as unknown as { unref(): void }).unref();
  child.unref();
  process.env.BROKER_TEST_EMBEDDED_PID = String(child.pid);
  return url;
}
