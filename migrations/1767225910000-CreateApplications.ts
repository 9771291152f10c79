import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateApplications1767225910000 implements MigrationInterface {
  name = 'CreateApplications1767225910000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE applications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        label text NOT NULL,
        endpoint text NOT NULL,
        endpoint_base_url text NOT NULL,
        app_key text NOT NULL,
        app_secret_sealed text NOT NULL,
        description text,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        disabled_at timestamptz
      )`);
    await q.query(
      'CREATE UNIQUE INDEX uq_applications_base_url_app_key ON applications (endpoint_base_url, app_key)',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE applications');
  }
}
