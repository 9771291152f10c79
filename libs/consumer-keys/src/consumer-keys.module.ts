import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '@app/accounts';
import { ApplicationsModule } from '@app/applications';
import { JobsModule } from '@app/jobs';
import { NotificationsModule } from '@app/notifications';
import { ConsumerKeyUpstream } from './consumer-key-upstream';
import { ConsumerKeyMetrics } from './consumer-key.metrics';
import { ConsumerKeyEntity } from './consumer-key.entity';
import { ConsumerKeysService } from './consumer-keys.service';

// Consumer-key lifecycle: request (idempotent, crash-safe), validation (callback +
// sync), policy expiry, revoke/renew, detection of upstream revocation, and the
// relay's access to signing material. States and moves: consumer-key-state.ts.
@Module({
  imports: [
    TypeOrmModule.forFeature([ConsumerKeyEntity]),
    AccountsModule,
    ApplicationsModule,
    NotificationsModule,
    JobsModule,
  ],
  providers: [ConsumerKeysService, ConsumerKeyUpstream, ConsumerKeyMetrics],
  exports: [ConsumerKeysService],
})
export class ConsumerKeysModule {}
