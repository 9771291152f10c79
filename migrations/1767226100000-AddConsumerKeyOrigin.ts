import { MigrationInterface, QueryRunner } from 'typeorm';

// Imported keys (issue 10): where a key came from, and at most one live row per
// upstream credential of an application (importing the same credential twice is a 409).
export class AddConsumerKeyOrigin1767226100000 implements MigrationInterface {
  name = 'AddConsumerKeyOrigin1767226100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE consumer_keys
        ADD COLUMN origin text NOT NULL DEFAULT 'requested',
        ADD CONSTRAINT chk_consumer_keys_origin CHECK (origin IN ('requested', 'imported'))`);
    await q.query(
      `CREATE UNIQUE INDEX uq_consumer_keys_live_credential ON consumer_keys (application_id, credential_id)
         WHERE credential_id IS NOT NULL AND state IN ('validated', 'revocationPending')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX uq_consumer_keys_live_credential');
    await q.query('ALTER TABLE consumer_keys DROP CONSTRAINT chk_consumer_keys_origin, DROP COLUMN origin');
  }
}
