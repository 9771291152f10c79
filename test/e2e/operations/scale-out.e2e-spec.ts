import request from 'supertest';
import { DataSource } from 'typeorm';
import { GrantsService } from '@app/grants';
import { JobRunner, type JobOutcome } from '@app/jobs';
import { createTestApp, type TestApp } from '../../utils/create-app';
import { describeOnRealPostgres } from '../../utils/engine';
import { createTestDatabase, type TestDatabase } from '../../utils/test-database';
import { adminViewer, SYSTEM_CTX } from '../../integration/grants/grant-fixtures';
import { type RelayInstance, startStubbedRelay, type StubbedRelay } from '../relay/relay-harness';

// Two admin API and two relay instances on one PostgreSQL (and the machine's
// Redis): a job runs on one instance at a time, and a grant's rate limit and its
// revocation hold across relay instances.
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

// Several instances share one database only on a PostgreSQL server: the embedded
// engine is one process's (a single backend session, so advisory locks do not
// exclude each other) and it does not deliver NOTIFY between connections.
describeOnRealPostgres(
  'scale-out: two admin API instances, one database',
  'the embedded engine serves one instance (one backend session: advisory locks do not exclude each other)',
  () => {
    let db: TestDatabase;
    let one: TestApp;
    let two: TestApp;

    beforeAll(async () => {
      db = await createTestDatabase();
      one = await createTestApp('admin-api', { JOBS_ENABLED: 'false' }, db);
      two = await createTestApp('admin-api', { JOBS_ENABLED: 'false' }, db);
      await one.app
        .get(DataSource)
        .query('CREATE TABLE scale_job_runs (id serial PRIMARY KEY, instance text)');
      for (const [name, t] of [
        ['one', one],
        ['two', two],
      ] as const) {
        const ds = t.app.get(DataSource);
        t.app.get(JobRunner).register({
          name: 'ops.scale-test',
          intervalMs: 3_600_000,
          run: async () => {
            await new Promise((r) => setTimeout(r, 300));
            await ds.query('INSERT INTO scale_job_runs (instance) VALUES ($1)', [name]);
            return { ran: 1 };
          },
        });
      }
    });
    afterAll(async () => {
      await two?.close();
      await one?.close();
      await db?.drop();
    });

    it('runs a job on one instance only when both try at the same time', async () => {
      const rounds: JobOutcome[][] = [];
      for (let i = 0; i < 3; i++) {
        rounds.push(
          await Promise.all([
            one.app.get(JobRunner).runOnce('ops.scale-test'),
            two.app.get(JobRunner).runOnce('ops.scale-test'),
          ]),
        );
      }
      for (const outcomes of rounds) {
        expect(outcomes.map((o) => o.status).sort()).toEqual(['done', 'skipped']);
        expect(outcomes.find((o) => o.status === 'skipped')).toEqual({ status: 'skipped', reason: 'locked' });
      }
      const [{ count }] = (await one.app
        .get(DataSource)
        .query('SELECT count(*)::int AS count FROM scale_job_runs')) as Array<{
        count: number;
      }>;
      expect(count).toBe(3);
    });

    it('both instances answer and report ready', async () => {
      for (const t of [one, two]) await request(t.app.getHttpServer()).get('/health/ready').expect(200);
    });
  },
);

describeOnRealPostgres(
  'scale-out: two relay instances, one database, shared Redis',
  'the embedded engine serves one instance (NOTIFY is not delivered between its connections)',
  () => {
    let r: StubbedRelay;
    let second: RelayInstance;

    beforeAll(async () => {
      r = await startStubbedRelay({ REDIS_URL });
      second = await r.startInstance();
    });
    afterAll(() => r?.close());

    const call = (instance: RelayInstance, token: string) =>
      fetch(`${instance.url}/1.0/domain`, { headers: { Authorization: `Bearer ${token}` } }).then(
        (res) => res.status,
      );

    it("holds a grant's rate limit across instances", async () => {
      // grant ids are random, so the Redis keys (relay:grant:<limit><id>) are this test's own
      const { credentials } = await r.grant({ rateLimitPerMinute: 10 });
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) {
        statuses.push(await call(r.relay, credentials.bearerToken));
        statuses.push(await call(second, credentials.bearerToken));
      }
      expect(statuses.filter((s) => s === 200)).toHaveLength(10);
      expect(statuses.filter((s) => s === 429)).toHaveLength(6);
    });

    it('refuses a grant on the other instance within a second of its revocation', async () => {
      const { credentials, grant } = await r.grant();
      expect(await call(second, credentials.bearerToken)).toBe(200);
      await r.relay.app.app
        .get(GrantsService)
        .revoke(adminViewer(), r.account.accountId, grant.id, SYSTEM_CTX);
      const started = Date.now();
      let status = 200;
      while (status === 200 && Date.now() - started < 1500) {
        status = await call(second, credentials.bearerToken);
        if (status === 200) await new Promise((res) => setTimeout(res, 50));
      }
      expect(status).toBe(403);
      expect(Date.now() - started).toBeLessThan(1000);
    });
  },
);
