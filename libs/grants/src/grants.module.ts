import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from '@app/accounts';
import { ConsumerKeysModule } from '@app/consumer-keys';
import { JobRunner, JobsModule } from '@app/jobs';
import { NotificationsModule } from '@app/notifications';
import { VaultService } from '@app/vault';
import { GrantEntity } from './grant.entity';
import { GrantSettingsService } from './grant-settings.service';
import { GrantsService } from './grants.service';

// Grants: scoped, short-lived access to one account's consumer key, with broker-minted
// OVHcloud-style credentials. Revocations are broadcast on INVALIDATION_CHANNEL so every
// relay drops its cached copy; the 'grants.sweep' job marks expired and ended grants.
@Module({
  imports: [
    TypeOrmModule.forFeature([GrantEntity]),
    AccountsModule,
    ConsumerKeysModule,
    NotificationsModule,
    JobsModule,
  ],
  providers: [GrantsService, GrantSettingsService],
  exports: [GrantsService, GrantSettingsService],
})
export class GrantsModule implements OnModuleInit {
  constructor(
    private readonly grants: GrantsService,
    private readonly jobs: JobRunner,
    private readonly vault: VaultService,
  ) {}

  onModuleInit(): void {
    this.vault.registerSealedColumn({ table: 'grants', column: 'app_secret_sealed', idColumn: 'id' });
    if (!this.jobs.names().includes('grants.sweep')) {
      this.jobs.register({ name: 'grants.sweep', intervalMs: 30_000, run: () => this.grants.sweep() });
    }
  }
}
