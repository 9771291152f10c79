import { Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ReadinessService } from '@app/common';
import { CachedSource } from './cached-source';
import { MetricsService } from './metrics.service';

interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

interface JobRow {
  name: string;
  succeeded: number | null;
  finished: number | null;
  now: number;
}

// Scrape-time gauges every app gets: readiness checks (database, migrations,
// vault seal, jobs), the pg pool, and background-job lag read from job_runs.
@Injectable()
export class MetricsCollectors implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    @Optional() private readonly readiness?: ReadinessService,
    @Optional() @InjectDataSource() private readonly dataSource?: DataSource,
  ) {}

  onModuleInit(): void {
    const readiness = this.readiness;
    if (readiness) {
      this.metrics.collectGauge(
        {
          name: 'broker_readiness_check',
          help: 'Readiness checks as /health/ready reports them: 1 ok, 0 failing (e.g. check="vault" 0 = sealed)',
          labelNames: ['check'],
        },
        async () => {
          const { checks } = await readiness.evaluate(900);
          return Object.entries(checks).map(([check, r]) => ({ labels: { check }, value: r.ok ? 1 : 0 }));
        },
      );
    }
    const dataSource = this.dataSource;
    if (!dataSource) return;
    this.metrics.collectGauge(
      {
        name: 'broker_db_pool_connections',
        help: 'Database pool connections in this instance: total, idle, and callers waiting for one',
        labelNames: ['state'],
        ttlMs: 0,
      },
      async () => {
        const pool = (dataSource.driver as { master?: Partial<PoolCounts> }).master;
        if (!pool || typeof pool.totalCount !== 'number') return [];
        return [
          { labels: { state: 'total' }, value: pool.totalCount },
          { labels: { state: 'idle' }, value: pool.idleCount ?? 0 },
          { labels: { state: 'waiting' }, value: pool.waitingCount ?? 0 },
        ];
      },
    );
    const jobs = new CachedSource(() => this.loadJobs(dataSource), 5000, 1000);
    this.metrics.collectGauge(
      {
        name: 'broker_job_last_success_timestamp_seconds',
        help: 'When each background job last finished successfully (any instance), Unix seconds',
        labelNames: ['job'],
        ttlMs: 0,
      },
      async () =>
        ((await jobs.get()) ?? [])
          .filter((j) => j.succeeded !== null)
          .map((j) => ({ labels: { job: j.name }, value: Number(j.succeeded) })),
    );
    this.metrics.collectGauge(
      {
        name: 'broker_job_lag_seconds',
        help: 'Seconds since each background job last finished successfully (any instance)',
        labelNames: ['job'],
        ttlMs: 0,
      },
      async () =>
        ((await jobs.get()) ?? [])
          .filter((j) => j.succeeded !== null)
          .map((j) => ({ labels: { job: j.name }, value: Math.max(0, j.now - Number(j.succeeded)) })),
    );
  }

  private jobsTable: boolean | undefined;

  // job_runs belongs to libs/jobs; read it only once it exists.
  private async loadJobs(dataSource: DataSource): Promise<JobRow[]> {
    if (!this.jobsTable) {
      const [{ present }] = (await dataSource.query(
        `SELECT to_regclass('job_runs') IS NOT NULL AS present`,
      )) as Array<{ present: boolean }>;
      this.jobsTable = present;
      if (!present) return [];
    }
    return (await dataSource.query(
      `SELECT name,
              EXTRACT(EPOCH FROM last_succeeded_at)::float8 AS succeeded,
              EXTRACT(EPOCH FROM last_finished_at)::float8 AS finished,
              EXTRACT(EPOCH FROM now())::float8 AS now
         FROM job_runs`,
    )) as JobRow[];
  }
}
