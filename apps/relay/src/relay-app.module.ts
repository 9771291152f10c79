import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CommonModule, GlobalExceptionFilter } from '@app/common';
import { BrokerConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { HealthController, LoggingModule, MetricsModule } from '@app/observability';
import { VaultModule } from '@app/vault';

@Module({
  imports: [
    BrokerConfigModule,
    CommonModule,
    LoggingModule,
    MetricsModule.forRoot({ app: 'relay' }),
    DatabaseModule,
    VaultModule,
  ],
  controllers: [HealthController],
  providers: [{ provide: APP_FILTER, useClass: GlobalExceptionFilter }],
})
export class RelayAppModule {}
