import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateGrants1767226000000 implements MigrationInterface {
  name = 'CreateGrants1767226000000';

  async up(q: QueryRunner): Promise<void> {
    // app_key is the minted, public application key (looked up by the relay); the minted
    // consumer key and the bearer token are kept only as SHA-256 hashes; the minted
    // application secret is sealed by the vault because the relay needs it to verify signatures.
    await q.query(`
      CREATE TABLE grants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE RESTRICT,
        consumer_key_id uuid NOT NULL REFERENCES consumer_keys (id) ON DELETE RESTRICT,
        holder_type text NOT NULL,
        holder_name text NOT NULL,
        holder_email text,
        description text,
        access_rules jsonb NOT NULL,
        allowed_ips jsonb,
        rate_limit_per_minute integer NOT NULL,
        read_only boolean NOT NULL DEFAULT false,
        app_key text NOT NULL,
        app_secret_sealed text NOT NULL,
        consumer_key_hash text NOT NULL,
        token_hash text NOT NULL,
        token_hint text NOT NULL,
        state text NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_by uuid,
        revoke_reason text,
        ended_at timestamptz,
        end_reason text,
        expired_at timestamptz,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT chk_grants_state CHECK (state IN ('active', 'revoked', 'expired', 'ended')),
        CONSTRAINT chk_grants_holder_type CHECK (holder_type IN ('person', 'tool')),
        CONSTRAINT chk_grants_rate_limit CHECK (rate_limit_per_minute > 0)
      )`);
    await q.query('CREATE UNIQUE INDEX uq_grants_app_key ON grants (app_key)');
    await q.query('CREATE UNIQUE INDEX uq_grants_consumer_key_hash ON grants (consumer_key_hash)');
    await q.query('CREATE UNIQUE INDEX uq_grants_token_hash ON grants (token_hash)');
    await q.query('CREATE INDEX idx_grants_account_state ON grants (account_id, state)');
    await q.query('CREATE INDEX idx_grants_consumer_key ON grants (consumer_key_id)');
    await q.query(`CREATE INDEX idx_grants_active_expiry ON grants (expires_at) WHERE state = 'active'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE grants');
  }
}
