import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '@app/common';
import { JobRunner } from '@app/jobs';

export const OPERATORS_CLEANUP_JOB = 'operators.cleanup';
const CLEANUP_INTERVAL_MS = 15 * 60 * 1000;
// Rows are kept a little past their end, so an investigation of "why was I
// logged out" still finds them for a day; the audit trail keeps the story.
export const CLEANUP_GRACE_MS = 24 * 60 * 60 * 1000;

export interface CleanupSummary extends Record<string, number> {
  mfaChallenges: number;
  sessionTokens: number;
  sessions: number;
}

const count = (result: unknown): number => {
  // pg's DELETE through TypeORM answers [rows, affected]
  if (Array.isArray(result) && typeof result[1] === 'number') return result[1];
  return 0;
};

// Deletes second-factor challenges, session tokens and sessions that ended more
// than a day ago. Registered with the shared job runner (one instance at a time,
// under its advisory lock).
@Injectable()
export class OperatorsHousekeeping implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly jobs: JobRunner,
  ) {}

  onModuleInit(): void {
    if (!this.jobs.names().includes(OPERATORS_CLEANUP_JOB)) {
      this.jobs.register({
        name: OPERATORS_CLEANUP_JOB,
        intervalMs: CLEANUP_INTERVAL_MS,
        run: () => this.cleanup(),
      });
    }
  }

  async cleanup(): Promise<CleanupSummary> {
    const before = new Date(this.clock.now().getTime() - CLEANUP_GRACE_MS);
    return this.dataSource.transaction(async (m) => {
      const mfaChallenges = count(
        await m.query('DELETE FROM mfa_challenges WHERE expires_at < $1 OR consumed_at < $1', [before]),
      );
      const sessionTokens = count(
        await m.query('DELETE FROM session_tokens WHERE expires_at < $1 OR revoked_at < $1', [before]),
      );
      const sessions = count(
        await m.query(
          `DELETE FROM operator_sessions s
            WHERE s.revoked_at < $1
               OR (s.created_at < $1 AND NOT EXISTS (SELECT 1 FROM session_tokens t WHERE t.session_id = s.id))`,
          [before],
        ),
      );
      return { mfaChallenges, sessionTokens, sessions };
    });
  }
}
