import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAccounts1767225920000 implements MigrationInterface {
  name = 'CreateAccounts1767225920000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        display_name text NOT NULL,
        nichandle text,
        contact_name text,
        contact_email text,
        notes text,
        tags text[] NOT NULL DEFAULT '{}',
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX idx_accounts_nichandle ON accounts (nichandle)');
    // operator_id has no foreign key: operators live in another lib whose tables may be
    // created by a later migration; the service checks the ids when the table exists.
    await q.query(`
      CREATE TABLE account_operators (
        account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        operator_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_id, operator_id)
      )`);
    await q.query('CREATE INDEX idx_account_operators_operator ON account_operators (operator_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE account_operators');
    await q.query('DROP TABLE accounts');
  }
}
