import { randomBytes } from 'node:crypto';
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
  console.log(
    '\n[test database] engine: embedded PGlite (no PostgreSQL server answered at TEST_DATABASE_URL)',
  );
}
