import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateJobRuns1767225900000 implements MigrationInterface {
  name = 'CreateJobRuns1767225900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE job_runs (
        name text PRIMARY KEY,
        last_started_at timestamptz,
        last_finished_at timestamptz,
        last_succeeded_at timestamptz,
        last_error text,
        last_duration_ms integer,
        runs bigint NOT NULL DEFAULT 0,
        failures bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE job_runs');
  }
}
