import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOperators1767225810000 implements MigrationInterface {
  name = 'CreateOperators1767225810000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE operators (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL,
        display_name text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'operator', 'auditor')),
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
        password_hash text NOT NULL,
        totp_secret text,
        totp_pending_secret text,
        totp_enabled_at timestamptz,
        totp_last_step bigint,
        last_login_at timestamptz,
        disabled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE UNIQUE INDEX operators_email_key ON operators (lower(email))');
    await q.query(`
      CREATE TABLE operator_recovery_codes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
        code_hash text NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      'CREATE UNIQUE INDEX operator_recovery_codes_hash_key ON operator_recovery_codes (operator_id, code_hash)',
    );
    await q.query(`
      CREATE TABLE operator_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
        mfa boolean NOT NULL DEFAULT false,
        ip text,
        user_agent text,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        revoked_reason text
      )`);
    await q.query('CREATE INDEX operator_sessions_operator_idx ON operator_sessions (operator_id)');
    await q.query(`
      CREATE TABLE session_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL REFERENCES operator_sessions (id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('access', 'refresh')),
        token_hash text NOT NULL UNIQUE,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX session_tokens_session_idx ON session_tokens (session_id)');
    await q.query(`
      CREATE TABLE mfa_challenges (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
        token_hash text NOT NULL UNIQUE,
        expires_at timestamptz NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        consumed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'operator', 'auditor')),
        token_hash text NOT NULL UNIQUE,
        token_prefix text NOT NULL,
        ip_allow_list jsonb NOT NULL DEFAULT '[]'::jsonb,
        expires_at timestamptz NOT NULL,
        last_used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX api_tokens_operator_idx ON api_tokens (operator_id)');
    // Failure counters shared by every instance (rate-limiter-flexible's RateLimiterPostgres layout).
    await q.query(`
      CREATE TABLE auth_rate_limits (
        key varchar(255) PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE auth_rate_limits');
    await q.query('DROP TABLE api_tokens');
    await q.query('DROP TABLE mfa_challenges');
    await q.query('DROP TABLE session_tokens');
    await q.query('DROP TABLE operator_sessions');
    await q.query('DROP TABLE operator_recovery_codes');
    await q.query('DROP TABLE operators');
  }
}
