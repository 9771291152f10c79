import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleInit,
  Optional,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock, ReadinessService } from '@app/common';
import type { EnvironmentVariables } from '@app/config';
import { MetricsService } from '@app/observability';
import { JOB_LOCK_CLASS, jobLockId, parseJobIntervals } from './job-intervals';

export interface JobDefinition {
  name: string;
  // Default period; JOB_INTERVALS overrides it per name.
  intervalMs: number;
  // Returns a small summary (counts) for the logs; throwing records last_error.
  run(): Promise<Record<string, number> | void>;
}

export type JobOutcome =
  | { status: 'done'; summary?: Record<string, number> }
  | { status: 'skipped'; reason: 'locked' | 'running' }
  | { status: 'failed'; error: string };

export interface JobStatus {
  name: string;
  intervalMs: number;
  lastStartedAt: Date | null;
  lastFinishedAt: Date | null;
  lastSucceededAt: Date | null;
  lastError: string | null;
  lastDurationMs: number | null;
  runs: number;
  failures: number;
}

// Each run holds pg_try_advisory_lock on a dedicated connection, so across all
// instances one runs a given job at a time; everything a job needs to resume
// lives in tables, so a restart loses nothing but the current tick.
@Injectable()
export class JobRunner implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly jobs = new Map<string, JobDefinition>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<JobOutcome>>();
  private readonly overrides: Map<string, number>;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: ConfigService<EnvironmentVariables, true>,
    private readonly clock: Clock,
    private readonly readiness: ReadinessService,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.overrides = parseJobIntervals(this.config.get('JOB_INTERVALS', { infer: true }));
  }

  onModuleInit(): void {
    this.readiness.register('jobs', async () => {
      const enabled = this.enabled();
      const statuses = await this.status();
      const detail: Record<string, unknown> = { enabled };
      for (const s of statuses) {
        detail[s.name] = {
          lastFinishedAt: s.lastFinishedAt?.toISOString() ?? null,
          lagSeconds: s.lastFinishedAt
            ? Math.round((this.clock.now().getTime() - s.lastFinishedAt.getTime()) / 1000)
            : null,
          lastError: s.lastError,
        };
      }
      return { ok: true, detail };
    });
  }

  onApplicationBootstrap(): void {
    if (!this.enabled()) {
      this.logger.log('Background jobs are disabled (JOBS_ENABLED=false)');
      return;
    }
    for (const name of this.jobs.keys()) this.schedule(name);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.running.values()]);
  }

  register(job: JobDefinition): void {
    if (this.jobs.has(job.name)) throw new Error(`Job "${job.name}" is already registered`);
    this.jobs.set(job.name, job);
  }

  names(): string[] {
    return [...this.jobs.keys()];
  }

  intervalOf(name: string): number {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`Unknown job "${name}"`);
    return this.overrides.get(name) ?? job.intervalMs;
  }

  // Tests and the CLI call this directly; the scheduler calls it on each tick.
  async runOnce(name: string): Promise<JobOutcome> {
    const job = this.jobs.get(name);
    if (!job) throw new Error(`Unknown job "${name}"`);
    if (this.running.has(name)) return { status: 'skipped', reason: 'running' };
    const run = this.execute(job);
    this.running.set(name, run);
    try {
      return await run;
    } finally {
      this.running.delete(name);
    }
  }

  async status(): Promise<JobStatus[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT name, last_started_at, last_finished_at, last_succeeded_at, last_error, last_duration_ms, runs, failures
         FROM job_runs WHERE name = ANY($1::text[])`,
      [this.names()],
    );
    const byName = new Map(rows.map((r) => [r.name as string, r]));
    return this.names().map((name) => {
      const r = byName.get(name);
      return {
        name,
        intervalMs: this.intervalOf(name),
        lastStartedAt: (r?.last_started_at as Date | null) ?? null,
        lastFinishedAt: (r?.last_finished_at as Date | null) ?? null,
        lastSucceededAt: (r?.last_succeeded_at as Date | null) ?? null,
        lastError: (r?.last_error as string | null) ?? null,
        lastDurationMs: (r?.last_duration_ms as number | null) ?? null,
        runs: Number(r?.runs ?? 0),
        failures: Number(r?.failures ?? 0),
      };
    });
  }

  private enabled(): boolean {
    return this.config.get('JOBS_ENABLED', { infer: true }) !== false;
  }

  private schedule(name: string): void {
    if (this.stopped) return;
    const interval = this.intervalOf(name);
    // A little jitter so instances started together do not all knock at once.
    const delay = Math.round(interval * (0.9 + Math.random() * 0.2));
    const timer = setTimeout(() => {
      this.timers.delete(name);
      void this.runOnce(name).finally(() => this.schedule(name));
    }, delay);
    timer.unref();
    this.timers.set(name, timer);
  }

  private async execute(job: JobDefinition): Promise<JobOutcome> {
    const [classId, objId] = [JOB_LOCK_CLASS, jobLockId(job.name)];
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1::int, $2::int) AS locked', [
        classId,
        objId,
      ])) as Array<{ locked: boolean }>;
      if (!locked) return { status: 'skipped', reason: 'locked' };
      try {
        return await this.runLocked(job);
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1::int, $2::int)', [classId, objId]);
      }
    } catch (e) {
      const error = errorText(e);
      this.logger.warn(`Job ${job.name} could not run: ${error}`);
      return { status: 'failed', error };
    } finally {
      await runner.release();
    }
  }

  private async runLocked(job: JobDefinition): Promise<JobOutcome> {
    const started = this.clock.now();
    const t0 = Date.now();
    await this.dataSource.query(
      `INSERT INTO job_runs (name, last_started_at, runs, updated_at) VALUES ($1, $2, 1, now())
       ON CONFLICT (name) DO UPDATE SET last_started_at = $2, runs = job_runs.runs + 1, updated_at = now()`,
      [job.name, started],
    );
    let error: string | null = null;
    let summary: Record<string, number> | undefined;
    try {
      summary = (await job.run()) ?? undefined;
    } catch (e) {
      error = errorText(e);
      this.logger.error(`Job ${job.name} failed: ${error}`, e instanceof Error ? e.stack : undefined);
    }
    const finished = this.clock.now();
    const durationMs = Date.now() - t0;
    this.metrics?.jobRun(job.name, error === null, durationMs);
    await this.dataSource.query(
      `UPDATE job_runs SET last_finished_at = $2, last_error = $3, last_duration_ms = $4,
              last_succeeded_at = CASE WHEN $3::text IS NULL THEN $2 ELSE last_succeeded_at END,
              failures = failures + CASE WHEN $3::text IS NULL THEN 0 ELSE 1 END, updated_at = now()
        WHERE name = $1`,
      [job.name, finished, error, durationMs],
    );
    if (error !== null) return { status: 'failed', error };
    if (summary && Object.values(summary).some((n) => n > 0)) {
      this.logger.log(`Job ${job.name}: ${JSON.stringify(summary)}`);
    }
    return { status: 'done', summary };
  }
}

function errorText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).slice(0, 1000);
}
