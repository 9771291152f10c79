import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuditModule } from '@app/audit';
import { CommonModule, GlobalExceptionFilter } from '@app/common';
import { BrokerConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { HealthController, LoggingModule, MetricsModule } from '@app/observability';
import { AdminAuthGuard } from '@app/operators';
import { VaultModule } from '@app/vault';
import { LifecycleApiModule } from './consumer-keys/lifecycle-api.module';
import { GrantsApiModule } from './grants/grants-api.module';
import { OperatorsApiModule } from './auth/operators-api.module';
import { VaultApiModule } from './vault/vault-api.module';
import { KeyImportApiModule } from './key-import/key-import-api.module';
import { HygieneApiModule } from './hygiene/hygiene-api.module';

@Module({
  imports: [
    BrokerConfigModule,
    CommonModule,
    LoggingModule,
    MetricsModule.forRoot({ app: 'admin-api' }),
    DatabaseModule,
    VaultModule,
    AuditModule,
    OperatorsApiModule,
    LifecycleApiModule,
    GrantsApiModule,
    VaultApiModule,
    KeyImportApiModule,
    HygieneApiModule,
  ],
  controllers: [HealthController],
  providers: [
    { provide: APP_FILTER, useClass: GlobalExceptionFilter },
    // Every route needs a bearer token unless marked @Public() (see libs/operators).
    { provide: APP_GUARD, useClass: AdminAuthGuard },
  ],
})
export class AdminApiModule {}
