import { randomBytes, randomUUID } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { LOG_DESTINATION } from '@app/observability';
import { VaultService } from '@app/vault';
import { AdminApiModule } from '../../../apps/admin-api/src/admin-api.module';
import { configureAdminApi } from '../../../apps/admin-api/src/configure-app';
import { bearer, createOperator, type TestOperator } from '../../utils/auth';
import {
  assertNoPlaintextIn,
  assertNoPlaintextInDump,
  assertNoPlaintextInRows,
  LogSink,
} from '../../utils/canary';
import { createTestApp, type TestApp } from '../../utils/create-app';
import { createTestDatabase, type TestDatabase } from '../../utils/test-database';

const TABLE = 'vault_e2e_secrets';
const keyEnv = (key: string) => ({
  MASTER_KEY: key,
  MASTER_KEYS: '',
  MASTER_KEY_ID: '',
  MASTER_KEY_FILE: '',
});
const CANARIES = [
  `CANARY-app-secret-${randomUUID()}`,
  `CANARY-consumer-key-${randomUUID()}`,
  'CANARY-ünïcødé-sécret-✓',
];

// The production app and configure step, with its JSON logs kept in `sink`.
async function startWithLogs(db: TestDatabase, key: string, sink: LogSink): Promise<TestApp> {
  Object.assign(process.env, { NODE_ENV: 'test', LOG_LEVEL: 'trace', DATABASE_URL: db.url, ...keyEnv(key) });
  const moduleRef = await Test.createTestingModule({ imports: [AdminApiModule] })
    .overrideProvider(LOG_DESTINATION)
    .useValue(sink)
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true });
  configureAdminApi(app);
  await app.init();
  return { app, db, close: () => app.close() };
}

describe('vault admin API, canaries and sealed start (admin-api)', () => {
  const K1 = randomBytes(32).toString('base64');
  let db: TestDatabase;
  let t: TestApp | undefined;
  let admin: TestOperator;
  let operator: TestOperator;
  const output = new LogSink();
  const bodies: unknown[] = [];
  const ids: string[] = [];

  const http = () => request((t as TestApp).app.getHttpServer());
  const keep = <R extends { body: unknown }>(res: R): R => {
    bodies.push(res.body);
    return res;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await startWithLogs(db, K1, output);
    admin = await createOperator(t.app, { role: 'admin' });
    operator = await createOperator(t.app, { role: 'operator' });

    // a stand-in for the libs that store secrets: seal through the service, insert, register the column
    const vault = t.app.get(VaultService);
    const { Client } = await import('pg');
    const c = new Client({ connectionString: db.url });
    await c.connect();
    await c.query(`CREATE TABLE ${TABLE} (id uuid PRIMARY KEY, secret_ct text NOT NULL)`);
    vault.registerSealedColumn({ table: TABLE, column: 'secret_ct', idColumn: 'id' });
    for (const canary of CANARIES) {
      const id = randomUUID();
      ids.push(id);
      await c.query(`INSERT INTO ${TABLE} (id, secret_ct) VALUES ($1, $2)`, [
        id,
        await vault.seal(canary, { table: TABLE, column: 'secret_ct', rowId: id }),
      ]);
    }
    await c.end();
  });

  afterAll(async () => {
    await t?.close();
    await db.drop();
  });

  it('GET /api/v1/vault/status is for admins only', async () => {
    await http().get('/api/v1/vault/status').expect(401);
    keep(await http().get('/api/v1/vault/status').set(bearer(operator.token)).expect(403));
    const res = keep(await http().get('/api/v1/vault/status').set(bearer(admin.token)).expect(200));
    expect(res.body).toMatchObject({
      sealed: false,
      activeMasterKeyId: 'default',
      masterKeySource: 'MASTER_KEY',
      masterKeys: [
        { id: 'default', configured: true, active: true, dataKeys: 1, sealedValues: 3, canRetire: false },
      ],
      columns: expect.arrayContaining([
        { table: TABLE, column: 'secret_ct', present: true, sealedValues: 3 },
      ]),
    });
    expect(JSON.stringify(res.body)).not.toContain(K1);
  });

  it('POST /api/v1/vault/rotate validates its body and refuses non-admins', async () => {
    keep(await http().post('/api/v1/vault/rotate').set(bearer(operator.token)).send({}).expect(403));
    const bad = keep(
      await http()
        .post('/api/v1/vault/rotate')
        .set(bearer(admin.token))
        .send({ reencrypt: 'yes', extra: 1 })
        .expect(400),
    );
    expect(bad.body.code).toBe('VALIDATION_FAILED');
  });

  it('POST /api/v1/vault/rotate re-encrypts in the background; status follows it to the end', async () => {
    const started = keep(
      await http()
        .post('/api/v1/vault/rotate')
        .set(bearer(admin.token))
        .send({ reencrypt: true, batchSize: 2 })
        .expect(202),
    );
    expect(started.body).toMatchObject({ status: 'running', reencrypt: true, targetMasterKeyId: 'default' });
    let status: { lastRotation: { status: string; resealed: number } } | undefined;
    for (let i = 0; i < 100; i++) {
      status = keep(await http().get('/api/v1/vault/status').set(bearer(admin.token)).expect(200)).body;
      if (status?.lastRotation.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(status?.lastRotation).toMatchObject({ id: started.body.id, status: 'done', resealed: 3 });
    const vault = (t as TestApp).app.get(VaultService);
    const { Client } = await import('pg');
    const c = new Client({ connectionString: db.url });
    await c.connect();
    const { rows } = await c.query(`SELECT id::text AS id, secret_ct FROM ${TABLE}`);
    const audit = await c.query(`SELECT action FROM audit_events WHERE action = 'vault.rotation_started'`);
    await c.end();
    for (const r of rows) {
      expect(CANARIES).toContain(
        await vault.open(r.secret_ct, { table: TABLE, column: 'secret_ct', rowId: r.id }),
      );
    }
    expect(new Set(rows.map((r) => r.secret_ct.split(':')[1])).size).toBe(1);
    expect(audit.rows).toHaveLength(1);
  });

  it('a value copied to another row fails to open and the failure is logged without the plaintext', async () => {
    const vault = (t as TestApp).app.get(VaultService);
    const { Client } = await import('pg');
    const c = new Client({ connectionString: db.url });
    await c.connect();
    const { rows } = await c.query(`SELECT secret_ct FROM ${TABLE} WHERE id = $1`, [ids[0]]);
    await c.end();
    await expect(
      vault.open(rows[0].secret_ct, { table: TABLE, column: 'secret_ct', rowId: ids[1] }),
    ).rejects.toMatchObject({
      code: 'VAULT_DECRYPT_FAILED',
    });
    expect(output.text()).toContain(`VAULT_DECRYPT_FAILED: cannot open ${TABLE}.secret_ct row ${ids[1]}`);
  });

  it('C8: no canary in the pg_dump, the rows (audit included), the logs or the responses', async () => {
    const dump = await assertNoPlaintextInDump(db.url, CANARIES);
    if (!dump.skipped) expect(dump.bytes).toBeGreaterThan(1000);
    expect(await assertNoPlaintextInRows(db.url, CANARIES)).toBeGreaterThan(0);
    await assertNoPlaintextInRows(db.url, CANARIES, ['audit_events']);
    const logs = output.text();
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).toContain('vault unsealed');
    assertNoPlaintextIn('the logs', logs, CANARIES);
    assertNoPlaintextIn('the logs', logs, [K1]);
    assertNoPlaintextIn('the responses', bodies, CANARIES);
  });

  it('the canary checks do catch a plaintext (so their silence means something)', async () => {
    const probe = `CANARY-probe-${randomUUID()}`;
    const { Client } = await import('pg');
    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      await c.query('CREATE TABLE canary_probe (v text, b bytea)');
      await c.query('INSERT INTO canary_probe VALUES ($1, NULL), (NULL, $2)', ['x', Buffer.from(probe)]);
      if (process.env.BROKER_TEST_ENGINE !== 'embedded') {
        await expect(assertNoPlaintextInDump(db.url, [probe])).rejects.toThrow(
          /Plaintext secret found in the pg_dump/,
        );
      }
      await expect(assertNoPlaintextInRows(db.url, [probe])).rejects.toThrow(
        /Plaintext secret found in a row of canary_probe/,
      );
      expect(() =>
        assertNoPlaintextIn('a log', `{"msg":"${Buffer.from(probe).toString('base64')}"}`, [probe]),
      ).toThrow(/as /);
    } finally {
      await c.query('DROP TABLE IF EXISTS canary_probe');
      await c.end();
    }
  });

  it('C6: restarted with a wrong key it starts sealed: ready says so, secrets answer 503 VAULT_SEALED, status still answers', async () => {
    await t?.close();
    t = await createTestApp(
      'admin-api',
      { ...keyEnv(randomBytes(32).toString('base64')), LOG_LEVEL: 'silent' },
      db,
    );
    const ready = await http().get('/health/ready').expect(503);
    expect(ready.body.checks.vault).toEqual({
      ok: false,
      detail: expect.stringMatching(/^sealed: the master key "default" does not open the \d+ data key\(s\)/),
    });
    const rotate = await http().post('/api/v1/vault/rotate').set(bearer(admin.token)).send({}).expect(503);
    expect(rotate.body).toMatchObject({
      code: 'VAULT_SEALED',
      message: expect.stringMatching(/^The vault is sealed: /),
    });
    const status = await http().get('/api/v1/vault/status').set(bearer(admin.token)).expect(200);
    expect(status.body).toMatchObject({ sealed: true, sealedReason: expect.stringMatching(/does not open/) });
    await expect(
      t.app.get(VaultService).seal('x', { table: TABLE, column: 'secret_ct', rowId: randomUUID() }),
    ).rejects.toMatchObject({
      code: 'VAULT_SEALED',
      kind: 'unavailable',
    });
  });
});
