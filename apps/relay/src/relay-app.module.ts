import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuditModule } from '@app/audit';
import { CommonModule, GlobalExceptionFilter } from '@app/common';
import { BrokerConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { HealthController, LoggingModule, MetricsModule } from '@app/observability';
import { RelayCoreModule } from '@app/relay-core';
import { VaultModule } from '@app/vault';

// The OVH API paths (/1.0, /v1, /v2) are served by RelayService.handle, mounted in front of
// Nest's router by configureRelay; Nest itself only serves /health and /metrics here.
@Module({
  imports: [
    BrokerConfigModule,
    CommonModule,
    LoggingModule,
    MetricsModule.forRoot({ app: 'relay', pathGroups: ['/1.0', '/v1', '/v2'] }),
    DatabaseModule,
    VaultModule,
    AuditModule,
    RelayCoreModule,
  ],
  controllers: [HealthController],
  providers: [{ provide: APP_FILTER, useClass: GlobalExceptionFilter }],
})
export class RelayAppModule {}
