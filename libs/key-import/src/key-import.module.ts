import { Module } from '@nestjs/common';
import { AccountsModule } from '@app/accounts';
import { ApplicationsModule } from '@app/applications';
import { ConsumerKeysModule, ConsumerKeyUpstream } from '@app/consumer-keys';
import { KeyImportService } from './key-import.service';

// Import of existing consumer keys (a triple, an ovh.conf file, OVH_* variables): checked
// upstream before anything is stored, then kept by @app/consumer-keys like any other key.
// Also discovery of the account's other credentials of the same application.
@Module({
  imports: [AccountsModule, ApplicationsModule, ConsumerKeysModule],
  providers: [KeyImportService, ConsumerKeyUpstream],
  exports: [KeyImportService],
})
export class KeyImportModule {}
