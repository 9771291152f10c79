import { DynamicModule, Global, Module } from '@nestjs/common';
import { HttpMetricsRecorder } from './http-metrics.recorder';
import { MetricsCollectors } from './metrics-collectors';
import { MetricsController } from './metrics.controller';
import { METRICS_OPTIONS, MetricsOptions, MetricsService } from './metrics.service';

// Prometheus metrics at /metrics (public, or behind METRICS_TOKEN). Global:
// any lib injects MetricsService and calls its typed helpers; where no app
// imported this module (CLI, unit tests), inject it with @Optional().
@Global()
@Module({})
export class MetricsModule {
  static forRoot(options: MetricsOptions): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      controllers: [MetricsController],
      providers: [
        { provide: METRICS_OPTIONS, useValue: options },
        MetricsService,
        MetricsCollectors,
        HttpMetricsRecorder,
      ],
      exports: [MetricsService],
    };
  }
}
