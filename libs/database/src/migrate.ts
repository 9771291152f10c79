import type { DataSource } from 'typeorm';

// Any fixed 64-bit number works; this one spells the product so it will not
// collide with another application's lock on a shared server.
export const MIGRATION_LOCK_ID = 0x6f76685f62726f6bn.toString();

// Data sources of this process migrate one after the other: on the embedded engine
// (one backend session for every connection) the advisory lock below excludes nothing.
let inProcess: Promise<unknown> = Promise.resolve();

// Session-level advisory lock on a dedicated connection: instances that start
// together wait for the first one, then find nothing left to apply.
export function runMigrationsLocked(dataSource: DataSource): Promise<string[]> {
  const run = inProcess.then(() => runMigrationsAdvisoryLocked(dataSource));
  inProcess = run.catch(() => undefined);
  return run;
}

async function runMigrationsAdvisoryLocked(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    }
  } finally {
    await runner.release();
  }
}

export async function hasPendingMigrations(dataSource: DataSource): Promise<boolean> {
  return dataSource.showMigrations();
}
