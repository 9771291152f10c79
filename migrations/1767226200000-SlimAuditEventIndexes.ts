import { MigrationInterface, QueryRunner } from 'typeorm';

// The relay appends a row per call, so each index on audit_events is paid thousands of times a
// second. Two of them were not worth it:
// - the UNIQUE index on id: a random UUID (gen_random_uuid, 122 random bits) lands on a random
//   page of its btree at every insert, and nothing looks rows up by id (seq is the key);
// - the btree on occurred_at: rows are appended in time order under the chain lock, so a BRIN
//   index (a few pages, almost free to maintain) answers the time-range filters and the
//   retention purge as well.
export class SlimAuditEventIndexes1767226200000 implements MigrationInterface {
  name = 'SlimAuditEventIndexes1767226200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE audit_events DROP CONSTRAINT audit_events_id_key');
    await q.query('DROP INDEX audit_events_occurred_at_idx');
    await q.query('CREATE INDEX audit_events_occurred_at_brin ON audit_events USING brin (occurred_at)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX audit_events_occurred_at_brin');
    await q.query('CREATE INDEX audit_events_occurred_at_idx ON audit_events (occurred_at)');
    await q.query('ALTER TABLE audit_events ADD CONSTRAINT audit_events_id_key UNIQUE (id)');
  }
}
