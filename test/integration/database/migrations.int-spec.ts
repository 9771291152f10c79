import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildTypeOrmOptions, runMigrationsLocked } from '@app/database';
import { ALL_MIGRATIONS } from '../../../migrations';
import { createTestDatabase, TestDatabase } from '../../utils/test-database';

describe('migrations at start', () => {
  let db: TestDatabase;
  const sources: DataSource[] = [];

  beforeAll(async () => {
    db = await createTestDatabase({ empty: true });
  });
  afterAll(async () => {
    await Promise.all(sources.filter((s) => s.isInitialized).map((s) => s.destroy()));
    await db.drop();
  });

  it('are applied exactly once when two instances start together', async () => {
    const a = new DataSource(buildTypeOrmOptions({ url: db.url, poolSize: 3 }));
    const b = new DataSource(buildTypeOrmOptions({ url: db.url, poolSize: 3 }));
    sources.push(a, b);
    await Promise.all([a.initialize(), b.initialize()]);

    const [appliedByA, appliedByB] = await Promise.all([runMigrationsLocked(a), runMigrationsLocked(b)]);

    expect([...appliedByA, ...appliedByB].sort()).toEqual(ALL_MIGRATIONS.map((m) => m.name).sort());
    const rows: { name: string }[] = await a.query('SELECT name FROM typeorm_migrations');
    expect(rows.map((r) => r.name).sort()).toEqual(ALL_MIGRATIONS.map((m) => m.name).sort());
    expect(await a.showMigrations()).toBe(false);
  });

  it('can all be reverted and applied again (every migration has a working down)', async () => {
    const ds = sources[0];
    for (let i = 0; i < ALL_MIGRATIONS.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    expect(await ds.query('SELECT count(*)::int AS n FROM typeorm_migrations')).toEqual([{ n: 0 }]);
    await runMigrationsLocked(ds);
    expect(await ds.showMigrations()).toBe(false);
  });
});
