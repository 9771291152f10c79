import { Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { MetricsService } from '@app/observability';
import { CONSUMER_KEY_STATES } from './consumer-key-state';

// broker_consumer_keys{state}: one GROUP BY on scrape (cached a few seconds by
// MetricsService). Every known state is reported, 0 included, so a state that
// empties reads 0 rather than vanishing. Nothing here without the metrics module (CLI).
@Injectable()
export class ConsumerKeyMetrics implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  onModuleInit(): void {
    this.metrics?.consumerKeysByState(() => this.countByState());
  }

  async countByState(): Promise<Record<string, number>> {
    const rows = (await this.dataSource.query(
      'SELECT state, count(*)::int AS count FROM consumer_keys GROUP BY state',
    )) as Array<{ state: string; count: number }>;
    const counts: Record<string, number> = Object.fromEntries(CONSUMER_KEY_STATES.map((s) => [s, 0]));
    for (const r of rows) counts[r.state] = Number(r.count);
    return counts;
  }
}
