import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { VaultService } from '@app/vault';
import { findCanaries } from '../../utils/canary';
import { createTestApp } from '../../utils/create-app';
import { describeOnRealPostgres } from '../../utils/engine';
import { sample } from '../../utils/prometheus';
import { createTestDatabase, type TestDatabase } from '../../utils/test-database';

const run = promisify(execFile);

// SECURITY-CHECKLIST C9, and the backup procedure of docs/operations.md: a
// pg_dump restored into an empty database, started with the escrowed master key,
// opens the secrets it holds; started with any other key it stays sealed.
describeOnRealPostgres(
  'backup and restore drill',
  'needs a PostgreSQL server (pg_dump cannot read PGlite)',
  () => {
    const masterKey = randomBytes(32).toString('base64');
    const canary = `canary-restore-${randomBytes(8).toString('hex')}`;
    const place = { table: 'drill_secrets', column: 'secret', rowId: randomUUID() };
    const dir = mkdtempSync(join(tmpdir(), 'broker-drill-'));
    const dumpFile = join(dir, 'broker.dump');
    let source: TestDatabase;
    let restored: TestDatabase;

    beforeAll(async () => {
      source = await createTestDatabase();
      const t = await createTestApp('admin-api', { MASTER_KEY: masterKey, JOBS_ENABLED: 'false' }, source);
      const sealed = await t.app.get(VaultService).seal(canary, place);
      const ds = t.app.get(DataSource);
      await ds.query('CREATE TABLE drill_secrets (id uuid PRIMARY KEY, secret text NOT NULL)');
      await ds.query('INSERT INTO drill_secrets (id, secret) VALUES ($1, $2)', [place.rowId, sealed]);
      await t.close();

      await run('pg_dump', [
        '--format=custom',
        '--no-owner',
        '--no-privileges',
        `--file=${dumpFile}`,
        source.url,
      ]);
      restored = await createTestDatabase({ empty: true });
      await run('pg_restore', [
        '--no-owner',
        '--no-privileges',
        '--exit-on-error',
        `--dbname=${restored.url}`,
        dumpFile,
      ]);
    }, 120_000);

    afterAll(async () => {
      await source?.drop();
      await restored?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('keeps the secret out of the backup file (only ciphertext and wrapped keys are in it)', () => {
      const dump = readFileSync(dumpFile);
      expect(findCanaries(dump, [canary])).toEqual([]);
      expect(dump.toString('latin1')).not.toContain(masterKey);
    });

    it('opens the secret after a restore with the same master key, and reports ready', async () => {
      const t = await createTestApp('admin-api', { MASTER_KEY: masterKey, JOBS_ENABLED: 'false' }, restored);
      try {
        const [row] = (await t.app
          .get(DataSource)
          .query('SELECT secret FROM drill_secrets WHERE id = $1', [place.rowId])) as Array<{
          secret: string;
        }>;
        expect(await t.app.get(VaultService).open(row.secret, place)).toBe(canary);
        const ready = await request(t.app.getHttpServer()).get('/health/ready').expect(200);
        expect(ready.body.checks.vault.ok).toBe(true);
      } finally {
        await t.close();
      }
    });

    it('stays sealed with another master key: not ready, secrets refused, nothing leaked', async () => {
      const other = randomBytes(32).toString('base64');
      const t = await createTestApp('admin-api', { MASTER_KEY: other, JOBS_ENABLED: 'false' }, restored);
      try {
        const vault = t.app.get(VaultService);
        expect(vault.isSealed()).toBe(true);
        const [row] = (await t.app
          .get(DataSource)
          .query('SELECT secret FROM drill_secrets WHERE id = $1', [place.rowId])) as Array<{
          secret: string;
        }>;
        await expect(vault.open(row.secret, place)).rejects.toThrow();
        const ready = await request(t.app.getHttpServer()).get('/health/ready').expect(503);
        expect(ready.body.checks.vault.ok).toBe(false);
        expect(JSON.stringify(ready.body)).not.toContain(canary);
        const metrics = await request(t.app.getHttpServer()).get('/metrics').expect(200);
        expect(sample(metrics.text, 'broker_readiness_check', { check: 'vault' })).toBe(0);
        // the process keeps serving what needs no secret
        await request(t.app.getHttpServer()).get('/health/live').expect(200);
      } finally {
        await t.close();
      }
    });
  },
);
