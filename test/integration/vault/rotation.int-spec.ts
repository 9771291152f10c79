import { randomUUID } from 'node:crypto';
import { createTestDatabase, TestDatabase } from '../../utils/test-database';
import {
  createTestTable,
  expectDomainError,
  newKey,
  startVault,
  TEST_TABLE,
  VaultContext,
} from './vault-context';

const place = (rowId: string) => ({ table: TEST_TABLE, column: 'secret_ct', rowId });

async function fill(v: VaultContext, n: number): Promise<Map<string, string>> {
  const plain = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    const secret = `CANARY-rotation-${i}-${randomUUID()}`;
    await v.db.query(`INSERT INTO ${TEST_TABLE} (id, label, secret_ct) VALUES ($1, $2, $3)`, [
      id,
      `row ${i}`,
      await v.vault.seal(secret, place(id)),
    ]);
    plain.set(id, secret);
  }
  return plain;
}

async function rows(v: VaultContext): Promise<{ id: string; secret_ct: string }[]> {
  return v.db.query(`SELECT id::text AS id, secret_ct FROM ${TEST_TABLE} ORDER BY id`);
}

async function expectAllOpen(v: VaultContext, plain: Map<string, string>): Promise<void> {
  const all = await rows(v);
  expect(all).toHaveLength(plain.size);
  for (const r of all) expect(await v.vault.open(r.secret_ct, place(r.id))).toBe(plain.get(r.id));
}

const keyIdOf = (sealed: string) => sealed.split(':')[1];

describe('vault key rotation against PostgreSQL', () => {
  let db: TestDatabase;
  let v: VaultContext | undefined;
  const K1 = newKey();
  const K2 = newKey();
  let plain: Map<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    v = await startVault(db.url, { MASTER_KEYS: `k1:${K1}` });
    await createTestTable(v.db);
    plain = await fill(v, 25);
    await v.close();
    v = undefined;
  });
  afterEach(async () => {
    await v?.close();
    v = undefined;
  });
  afterAll(() => db.drop());

  it('re-wraps every data key under the new master key; then the old one can be retired', async () => {
    v = await startVault(db.url, { MASTER_KEYS: `k1:${K1},k2:${K2}`, MASTER_KEY_ID: 'k2' });
    const before = await v.rotation.status();
    expect(before.masterKeys).toEqual([
      expect.objectContaining({
        id: 'k1',
        configured: true,
        active: false,
        dataKeys: 1,
        sealedValues: 25,
        canRetire: false,
      }),
      expect.objectContaining({ id: 'k2', configured: true, active: true, dataKeys: 0, canRetire: false }),
    ]);
    const progress: string[] = [];
    const job = await v.rotation.rotate({ onProgress: (p) => progress.push(`${p.phase}:${p.rewrapped}`) });
    expect(job).toMatchObject({ status: 'done', rewrapped: 1, reencrypt: false, targetMasterKeyId: 'k2' });
    expect(progress).toEqual(['rewrap:1', 'done:1']);
    const after = await v.rotation.status();
    expect(after.masterKeys.find((k) => k.id === 'k1')).toMatchObject({
      dataKeys: 0,
      sealedValues: 0,
      canRetire: true,
    });
    expect(after.masterKeys.find((k) => k.id === 'k2')).toMatchObject({ dataKeys: 1, sealedValues: 25 });
    expect(await v.rotation.rotate()).toMatchObject({ status: 'done', rewrapped: 0 }); // idempotent
    await v.close();

    // k1 retired: only k2 configured; every value still opens
    v = await startVault(db.url, { MASTER_KEYS: `k2:${K2}` });
    expect(v.vault.isSealed()).toBe(false);
    await expectAllOpen(v, plain);
  });

  it('refuses a second rotation while one is running', async () => {
    v = await startVault(db.url, { MASTER_KEYS: `k2:${K2}` });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = await v.rotation.start({
      reencrypt: true,
      batchSize: 5,
      beforeRowWrite: () => gate,
    });
    await expectDomainError(v.rotation.rotate(), 'VAULT_ROTATION_RUNNING');
    release();
    await expect(first.done).resolves.toMatchObject({ status: 'done', resealed: 25 });
  });

  it('resumes an interrupted re-encryption and finishes it: nothing lost, nothing sealed twice', async () => {
    v = await startVault(db.url, { MASTER_KEYS: `k2:${K2}` }, { retireGraceMs: 60_000 });
    const oldKeyIds = new Set((await rows(v)).map((r) => keyIdOf(r.secret_ct)));
    expect(oldKeyIds.size).toBe(1);
    const oldSealed = (await rows(v))[0];
    let writes = 0;
    const crash = v.rotation.rotate({
      reencrypt: true,
      batchSize: 10,
      beforeRowWrite: ({ phase }) => {
        // the process "dies" in the middle of the second batch: that batch rolls back
        if (phase === 'reencrypt' && ++writes === 15) throw new Error('simulated crash');
      },
    });
    await expect(crash).rejects.toMatchObject({ code: 'VAULT_ROTATION_FAILED' });
    const failed = await v.rotation.lastJob();
    expect(failed).toMatchObject({ status: 'failed', resealed: 10, error: 'simulated crash' });
    const midway = await rows(v);
    const newKeyId = failed?.targetDataKeyId as string;
    expect(midway.filter((r) => keyIdOf(r.secret_ct) === newKeyId)).toHaveLength(10);
    await expectAllOpen(v, plain);
    await v.close();

    // restart (as after a crash) and run again: the same job resumes from its last committed batch
    v = await startVault(db.url, { MASTER_KEYS: `k2:${K2}` }, { retireGraceMs: 60_000 });
    const progress: number[] = [];
    const done = await v.rotation.rotate({ batchSize: 10, onProgress: (p) => progress.push(p.resealed) });
    expect(done).toMatchObject({ id: failed?.id, status: 'done', resealed: 25, targetDataKeyId: newKeyId });
    expect(done.columns[`${TEST_TABLE}.secret_ct`]).toMatchObject({ done: true, resealed: 25 });
    expect(progress[0]).toBeGreaterThan(10);
    const final = await rows(v);
    expect(new Set(final.map((r) => keyIdOf(r.secret_ct)))).toEqual(new Set([newKeyId]));
    await expectAllOpen(v, plain);
    // within the grace period the old data key is kept (another instance may still seal under it)
    expect(done.retiredDataKeys).toEqual([]);

    // after the grace period, a re-run retires (erases) the unused data key; its values fail loudly
    v.clock.advance(61_000);
    const again = await v.rotation.rotate({ reencrypt: true, batchSize: 10 });
    expect(again.retiredDataKeys).toEqual(expect.arrayContaining([...oldKeyIds]));
    const [oldKey] = await v.db.query('SELECT wrapped_key, retired_at FROM vault_data_keys WHERE id = $1', [
      [...oldKeyIds][0],
    ]);
    expect(oldKey.wrapped_key).toBeNull();
    expect(oldKey.retired_at).not.toBeNull();
    await expectDomainError(
      v.vault.open(oldSealed.secret_ct, place(oldSealed.id)),
      'VAULT_DECRYPT_FAILED',
      'retired_key',
    );
    await expectAllOpen(v, plain);
    const status = await v.rotation.status();
    expect(status.dataKeys.filter((k) => !k.retired && k.sealedValues > 0)).toHaveLength(1);
  });

  it('replaces the active data key when its seal budget is spent, the shared counter only growing', async () => {
    v = await startVault(db.url, { MASTER_KEYS: `k2:${K2}` }, { sealBlockSize: 2, maxSealsPerDataKey: 6 });
    const [{ n: before }] = await v.db.query(
      'SELECT count(*)::int AS n FROM vault_data_keys WHERE retired_at IS NULL',
    );
    const extra = await fill(v, 20);
    const all = new Map([...plain, ...extra]);
    const keys = await v.db.query(
      'SELECT id, reserved_seals::int AS reserved FROM vault_data_keys WHERE retired_at IS NULL ORDER BY created_at',
    );
    expect(keys.length).toBeGreaterThanOrEqual(before + 3);
    for (const k of keys.slice(1)) expect(k.reserved).toBeLessThanOrEqual(8);
    await expectAllOpen(v, all);
    await v.db.query(`DELETE FROM ${TEST_TABLE} WHERE id = ANY($1::uuid[])`, [[...extra.keys()]]);
  });
});
