import { randomBytes } from 'node:crypto';
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildTypeOrmOptions } from '../../libs/database/src/typeorm-options';
import { startEmbeddedPostgres } from '../../libs/database/src/embedded-postgres';
import { adminQuery, withDatabase } from '../setup/test-engine';

export interface TestDatabase {
  url: string;
  engine: 'postgres' | 'embedded';
  drop(): Promise<void>;
}

// A database of its own for one test file, with every migration applied.
// `empty: true` gives one without migrations (to test the migration runner).
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const engine = process.env.BROKER_TEST_ENGINE;
  if (engine === 'postgres') {
    const adminUrl = process.env.BROKER_TEST_ADMIN_URL as string;
    const name = `${process.env.BROKER_TEST_RUN_ID}_${randomBytes(4).toString('hex')}`;
    const template = options.empty ? 'template0' : (process.env.BROKER_TEST_TEMPLATE as string);
    await adminQuery(adminUrl, `CREATE DATABASE ${name} TEMPLATE ${template}`);
    return {
      url: withDatabase(adminUrl, name),
      engine: 'postgres',
      drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    };
  }
  if (engine !== 'embedded') throw new Error('The jest globalSetup (test/setup/global-setup.ts) did not run');
  const embedded = await startEmbeddedPostgres(null);
  if (!options.empty) {
    const ds = new DataSource(buildTypeOrmOptions({ url: embedded.url, poolSize: 1 }));
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
    await ds.destroy();
  }
  return { url: embedded.url, engine: 'embedded', drop: () => embedded.stop() };
}
