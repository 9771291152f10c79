import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAuditEvents1767225800000 implements MigrationInterface {
  name = 'CreateAuditEvents1767225800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_events (
        seq bigint PRIMARY KEY,
        id uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
        occurred_at timestamptz NOT NULL,
        kind text NOT NULL DEFAULT 'event' CHECK (kind IN ('event', 'checkpoint')),
        actor_type text NOT NULL CHECK (actor_type IN ('operator', 'api_token', 'grant', 'system', 'anonymous')),
        actor_id text,
        actor_label text,
        action text NOT NULL,
        object_type text,
        object_id text,
        account_id text,
        result text NOT NULL CHECK (result IN ('success', 'failure', 'denied')),
        ip text,
        user_agent text,
        request_id text,
        metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
        prev_hash text NOT NULL,
        hash text NOT NULL
      )`);
    await q.query('CREATE INDEX audit_events_occurred_at_idx ON audit_events (occurred_at)');
    await q.query('CREATE INDEX audit_events_actor_idx ON audit_events (actor_type, actor_id, seq)');
    await q.query('CREATE INDEX audit_events_action_idx ON audit_events (action, seq)');
    await q.query('CREATE INDEX audit_events_account_idx ON audit_events (account_id, seq)');
    await q.query('CREATE INDEX audit_events_object_idx ON audit_events (object_type, object_id, seq)');
    // Append-only for the application: UPDATE, DELETE and TRUNCATE raise, except
    // DELETE inside the retention purge, which sets broker.audit_purge for its transaction.
    await q.query(`
      CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND current_setting('broker.audit_purge', true) = 'on' THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await q.query(`
      CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE audit_events');
    await q.query('DROP FUNCTION audit_events_append_only()');
  }
}
