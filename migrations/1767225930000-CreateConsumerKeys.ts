import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateConsumerKeys1767225930000 implements MigrationInterface {
  name = 'CreateConsumerKeys1767225930000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE consumer_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE RESTRICT,
        application_id uuid NOT NULL REFERENCES applications (id) ON DELETE RESTRICT,
        state text NOT NULL,
        access_rules jsonb NOT NULL,
        allowed_ips jsonb,
        validity_seconds integer,
        label text,
        idempotency_key text,
        request_hash text NOT NULL,
        consumer_key_sealed text,
        validation_url text,
        callback_state_hash text,
        credential_id bigint,
        nichandle text,
        upstream_rules jsonb,
        upstream_allowed_ips jsonb,
        upstream_created_at timestamptz,
        upstream_expires_at timestamptz,
        policy_expires_at timestamptz,
        last_use_at timestamptz,
        last_synced_at timestamptz,
        last_error text,
        requested_at timestamptz NOT NULL,
        validated_at timestamptz,
        refused_at timestamptz,
        abandoned_at timestamptz,
        expired_at timestamptz,
        revoked_at timestamptz,
        revocation_target text,
        revocation_attempts integer NOT NULL DEFAULT 0,
        revocation_next_at timestamptz,
        renewal_of uuid REFERENCES consumer_keys (id) ON DELETE SET NULL,
        renewed_by uuid REFERENCES consumer_keys (id) ON DELETE SET NULL,
        warnings_sent integer[] NOT NULL DEFAULT '{}',
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT chk_consumer_keys_state CHECK (state IN (
          'requesting', 'requestFailed', 'pendingValidation', 'validated', 'refused', 'abandoned',
          'expired', 'revoked', 'revocationPending'))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX uq_consumer_keys_account_idempotency ON consumer_keys (account_id, idempotency_key)
         WHERE idempotency_key IS NOT NULL`,
    );
    await q.query('CREATE INDEX idx_consumer_keys_account_state ON consumer_keys (account_id, state)');
    await q.query('CREATE INDEX idx_consumer_keys_state ON consumer_keys (state)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE consumer_keys');
  }
}
