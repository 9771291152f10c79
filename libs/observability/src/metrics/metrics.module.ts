import { DynamicModule, Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { MetricsCollectors } from './metrics-collectors';
import { MetricsController } from './metrics.controller';
import { METRICS_OPTIONS, MetricsOptions, MetricsService } from './metrics.service';

// Prometheus metrics at /metrics (public, or behind METRICS_TOKEN). Global:
// any lib injects MetricsService and calls its typed helpers; where no app
// imported this module (CLI, unit tests), inject it with @Optional().
@Global()
@Module({})
export class MetricsModule implements NestModule {
  static forRoot(options: MetricsOptions): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      controllers: [MetricsController],
      providers: [{ provide: METRICS_OPTIONS, useValue: options }, MetricsService, MetricsCollectors],
      exports: [MetricsService],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*');
  }
}
