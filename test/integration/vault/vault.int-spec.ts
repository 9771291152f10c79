import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '../../utils/test-database';
import {
  createTestTable,
  expectDomainError,
  newKey,
  startVault,
  TEST_TABLE,
  VaultContext,
} from './vault-context';

const CANARY = 'CANARY-vault-int-7c41e2aa';
const place = (rowId: string) => ({ table: TEST_TABLE, column: 'secret_ct', rowId });

async function insert(v: VaultContext, label: string, plaintext: string): Promise<string> {
  const id = randomUUID();
  await v.db.query(`INSERT INTO ${TEST_TABLE} (id, label, secret_ct) VALUES ($1, $2, $3)`, [
    id,
    label,
    await v.vault.seal(plaintext, place(id)),
  ]);
  return id;
}

async function stored(v: VaultContext, id: string): Promise<string> {
  const [row] = await v.db.query(`SELECT secret_ct FROM ${TEST_TABLE} WHERE id = $1`, [id]);
  return row.secret_ct;
}

// Everything the vault could write, to prove that a sealed start writes nothing.
async function snapshot(url: string): Promise<string> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const parts: string[] = [];
    for (const t of ['vault_data_keys', 'vault_sealed_columns', 'vault_rotation_jobs', TEST_TABLE]) {
      const { rows } = await c.query(`SELECT row_to_json(t)::text AS j FROM ${t} t ORDER BY 1`);
      parts.push(`${t}:${rows.map((r) => r.j).join('|')}`);
    }
    return parts.join('\n');
  } finally {
    await c.end();
  }
}

describe('vault against PostgreSQL', () => {
  let db: TestDatabase;
  const K1 = newKey();
  let v: VaultContext | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await v?.close();
    v = undefined;
  });
  afterAll(() => db.drop());

  it('records a first data key under the active master key and reports ready', async () => {
    v = await startVault(db.url, { MASTER_KEY: K1 });
    await createTestTable(v.db);
    const keys = await v.db.query('SELECT kek_id, active, wrapped_key FROM vault_data_keys');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kek_id: 'default', active: true });
    expect((await v.readiness.evaluate()).checks.vault).toEqual({
      ok: true,
      detail: 'unsealed; active master key "default"',
    });
    expect(await v.db.query('SELECT table_name, column_name, id_column FROM vault_sealed_columns')).toEqual([
      { table_name: TEST_TABLE, column_name: 'secret_ct', id_column: 'id' },
    ]);
  });

  it('round-trips secrets across a restart with the same key', async () => {
    v = await startVault(db.url, { MASTER_KEY: K1 });
    const id = await insert(v, 'round-trip', CANARY);
    const sealed = await stored(v, id);
    expect(sealed).toMatch(/^v1:[0-9a-f-]{36}:/);
    expect(sealed).not.toContain(CANARY);
    await v.close();
    v = await startVault(db.url, { MASTER_KEY: K1 });
    expect(await v.vault.open(sealed, place(id))).toBe(CANARY);
  });

  it('refuses a value moved to another row, a tampered value, and an unknown data key, with no plaintext in the error', async () => {
    v = await startVault(db.url, { MASTER_KEY: K1 });
    const a = await insert(v, 'a', CANARY);
    const b = await insert(v, 'b', 'another-secret-value');
    const sealedA = await stored(v, a);
    await expectDomainError(v.vault.open(sealedA, place(b)), 'VAULT_DECRYPT_FAILED', 'authentication_failed');
    await expectDomainError(
      v.vault.open(sealedA, { ...place(a), column: 'other_ct' }),
      'VAULT_DECRYPT_FAILED',
      'authentication_failed',
    );
    const tampered = sealedA.slice(0, -2) + (sealedA.endsWith('A') ? 'BA' : 'AA');
    await expectDomainError(v.vault.open(tampered, place(a)), 'VAULT_DECRYPT_FAILED');
    const unknown = sealedA.replace(/^v1:[0-9a-f-]{36}:/, `v1:${randomUUID()}:`);
    await expectDomainError(v.vault.open(unknown, place(a)), 'VAULT_DECRYPT_FAILED', 'unknown_key');
    const err = await v.vault.open(sealedA, place(b)).catch((e: unknown) => e);
    expect(JSON.stringify(err)).not.toContain(CANARY);
    expect(String(err)).not.toContain(CANARY);
  });

  describe('sealed start', () => {
    it('starts sealed with a wrong key: readiness says so, every operation answers VAULT_SEALED, nothing is written', async () => {
      v = await startVault(db.url, { MASTER_KEY: K1 });
      const id = await insert(v, 'sealed', CANARY);
      const sealed = await stored(v, id);
      await v.close();
      const before = await snapshot(db.url);

      v = await startVault(db.url, { MASTER_KEY: newKey() }, {}, true);
      expect(v.vault.isSealed()).toBe(true);
      const check = (await v.readiness.evaluate()).checks.vault;
      expect(check.ok).toBe(false);
      expect(check.detail).toMatch(/^sealed: the master key "default" does not open the \d+ data key\(s\)/);
      await expectDomainError(v.vault.open(sealed, place(id)), 'VAULT_SEALED');
      await expectDomainError(v.vault.seal('x', place(randomUUID())), 'VAULT_SEALED');
      expect(() => v?.vault.assertUnsealed()).toThrow(
        expect.objectContaining({ code: 'VAULT_SEALED', kind: 'unavailable' }),
      );
      await expectDomainError(v.rotation.rotate({ reencrypt: true }), 'VAULT_SEALED');
      v.vault.registerSealedColumn({ table: 'late_table', column: 'late_ct', idColumn: 'id' });
      const status = await v.rotation.status();
      expect(status).toMatchObject({ sealed: true, sealedReason: expect.stringMatching(/does not open/) });
      expect(await snapshot(db.url)).toBe(before);
    });

    it('starts sealed when the keyring lacks the master key the data keys are wrapped under', async () => {
      v = await startVault(db.url, { MASTER_KEYS: `other:${newKey()}` });
      expect(v.vault.sealedReason()).toMatch(
        /no master key "default" is configured, but \d+ data key\(s\) are wrapped under it/,
      );
      await v.close();
      v = await startVault(db.url, { MASTER_KEY: K1 });
      expect(v.vault.isSealed()).toBe(false);
    });
  });
});
