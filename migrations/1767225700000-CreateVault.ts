import { MigrationInterface, QueryRunner } from 'typeorm';

// Key material is created by the vault at run time, never by a migration.
export class CreateVault1767225700000 implements MigrationInterface {
  name = 'CreateVault1767225700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE vault_data_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kek_id text NOT NULL,
        wrapped_key text,
        purpose text NOT NULL DEFAULT 'data',
        active boolean NOT NULL DEFAULT false,
        reserved_seals bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        deactivated_at timestamptz,
        rewrapped_at timestamptz,
        retired_at timestamptz,
        CONSTRAINT vault_data_keys_retired_erased CHECK ((retired_at IS NULL) = (wrapped_key IS NOT NULL)),
        CONSTRAINT vault_data_keys_active_not_retired CHECK (NOT (active AND retired_at IS NOT NULL))
      )`);
    await q.query('CREATE UNIQUE INDEX vault_data_keys_one_active ON vault_data_keys (purpose) WHERE active');
    await q.query('CREATE INDEX vault_data_keys_kek_id ON vault_data_keys (kek_id) WHERE retired_at IS NULL');
    await q.query(`
      CREATE TABLE vault_sealed_columns (
        table_name text NOT NULL,
        column_name text NOT NULL,
        id_column text NOT NULL,
        registered_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (table_name, column_name)
      )`);
    await q.query(`
      CREATE TABLE vault_rotation_jobs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        status text NOT NULL CHECK (status IN ('running', 'done', 'failed')),
        reencrypt boolean NOT NULL,
        target_kek_id text NOT NULL,
        target_dek_id uuid REFERENCES vault_data_keys (id),
        progress jsonb NOT NULL DEFAULT '{}',
        rewrapped integer NOT NULL DEFAULT 0,
        resealed integer NOT NULL DEFAULT 0,
        batches integer NOT NULL DEFAULT 0,
        error text,
        started_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await q.query('CREATE INDEX vault_rotation_jobs_started_at ON vault_rotation_jobs (started_at DESC)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE vault_rotation_jobs');
    await q.query('DROP TABLE vault_sealed_columns');
    await q.query('DROP TABLE vault_data_keys');
  }
}
