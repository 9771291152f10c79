import { MigrationInterface, QueryRunner } from 'typeorm';

// Relays cache grants and consumer-key signing material; any change to a row tells every
// instance listening on 'broker_invalidate' to drop its copy ("<topic>:<id>"). Triggers,
// so that no writer can forget to notify. NOTIFY is delivered on commit.
export class CreateInvalidationTriggers1767226010000 implements MigrationInterface {
  name = 'CreateInvalidationTriggers1767226010000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION broker_notify_invalidation() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('broker_invalidate', TG_ARGV[0] || ':' || COALESCE(NEW.id, OLD.id)::text);
        RETURN NULL;
      END
      $$`);
    await q.query(`
      CREATE TRIGGER grants_invalidate AFTER UPDATE OR DELETE ON grants
      FOR EACH ROW EXECUTE FUNCTION broker_notify_invalidation('grant')`);
    await q.query(`
      CREATE TRIGGER consumer_keys_invalidate AFTER UPDATE OR DELETE ON consumer_keys
      FOR EACH ROW EXECUTE FUNCTION broker_notify_invalidation('consumer_key')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER consumer_keys_invalidate ON consumer_keys');
    await q.query('DROP TRIGGER grants_invalidate ON grants');
    await q.query('DROP FUNCTION broker_notify_invalidation()');
  }
}
