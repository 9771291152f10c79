import { Client } from 'pg';
import type { Pool, PoolClient } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestApp, TestApp } from '../../utils/create-app';
import { describeOnRealPostgres } from '../../utils/engine';

// SECURITY-CHECKLIST F2 (slow database: the statement timeout fires, the pool
// survives, other requests go on) and F3 (pool exhausted: new requests fail fast
// with 503 instead of hanging).
const STATEMENT_TIMEOUT_MS = 500;
const CONNECT_TIMEOUT_MS = 1000;
const POOL_SIZE = 3;
const bogusSession = { Authorization: `Bearer oba_${'y'.repeat(43)}` };

describeOnRealPostgres(
  'database under pressure',
  'the embedded engine runs one statement at a time in one process: a pg_sleep or a held lock stalls every connection and cannot be cancelled by statement_timeout',
  () => {
    let t: TestApp;
    let pool: Pool;

    beforeAll(async () => {
      t = await createTestApp('admin-api', {
        DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
        DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
        DATABASE_POOL_SIZE: String(POOL_SIZE),
        JOBS_ENABLED: 'false',
      });
      pool = (t.app.get(DataSource).driver as unknown as { master: Pool }).master;
    });
    afterAll(() => t.close());

    const dbRoute = () => request(t.app.getHttpServer()).get('/api/v1/operators').set(bogusSession);

    it('F2: cancels a pg_sleep at the statement timeout and gives the connection back', async () => {
      const ds = t.app.get(DataSource);
      const started = Date.now();
      const sleeps = Array.from({ length: POOL_SIZE * 2 }, () =>
        ds.query('SELECT pg_sleep(30)').then(
          () => 'finished',
          (e: { code?: string }) => e.code,
        ),
      );
      expect(await Promise.all(sleeps)).toEqual(Array(POOL_SIZE * 2).fill('57014'));
      // two waves of POOL_SIZE, each cut at the timeout
      expect(Date.now() - started).toBeLessThan(STATEMENT_TIMEOUT_MS * 2 + 1000);
      expect(pool.totalCount).toBeLessThanOrEqual(POOL_SIZE);
      expect(pool.waitingCount).toBe(0);
      await request(t.app.getHttpServer()).get('/health/ready').expect(200);
      await dbRoute().expect(401);
    });

    it('F2: a lock held elsewhere makes requests fail with a fast 503 while other queries go on', async () => {
      const holder = new Client({ connectionString: t.db.url });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('LOCK TABLE session_tokens IN ACCESS EXCLUSIVE MODE');
        const started = Date.now();
        const blocked = await Promise.all(Array.from({ length: 8 }, () => dbRoute()));
        for (const res of blocked) {
          expect(res.status).toBe(503);
          expect(['DATABASE_TIMEOUT', 'DATABASE_UNAVAILABLE']).toContain(res.body.code);
          expect(res.headers['retry-after']).toBe('1');
        }
        expect(blocked.some((r) => r.body.code === 'DATABASE_TIMEOUT')).toBe(true);
        // each answer within a statement timeout plus the wait for a connection
        expect(Date.now() - started).toBeLessThan(STATEMENT_TIMEOUT_MS + CONNECT_TIMEOUT_MS + 1500);
        // a query that needs no locked table is unaffected
        await request(t.app.getHttpServer()).get('/health/ready').expect(200);
      } finally {
        await holder.query('ROLLBACK').catch(() => undefined);
        await holder.end();
      }
      await dbRoute().expect(401);
    });

    it('F3: with every pooled connection stuck, new requests fail fast with 503 DATABASE_UNAVAILABLE', async () => {
      const stuck: PoolClient[] = [];
      try {
        for (let i = 0; i < POOL_SIZE; i++) stuck.push(await pool.connect());
        expect(pool.idleCount).toBe(0);
        const started = Date.now();
        const [a, b, ready, live] = await Promise.all([
          dbRoute(),
          dbRoute(),
          request(t.app.getHttpServer()).get('/health/ready'),
          request(t.app.getHttpServer()).get('/health/live'),
        ]);
        const elapsed = Date.now() - started;
        for (const res of [a, b]) {
          expect(res.status).toBe(503);
          expect(res.body).toMatchObject({ code: 'DATABASE_UNAVAILABLE', requestId: expect.any(String) });
        }
        expect(ready.status).toBe(503);
        expect(ready.body.checks.database.ok).toBe(false);
        expect(live.status).toBe(200);
        expect(elapsed).toBeLessThan(CONNECT_TIMEOUT_MS + 1500);
      } finally {
        for (const c of stuck) c.release();
      }
      await request(t.app.getHttpServer()).get('/health/ready').expect(200);
      await dbRoute().expect(401);
    });
  },
);
