import { Module } from '@nestjs/common';
import { AccountsModule } from '@app/accounts';
import { ConsumerKeysModule } from '@app/consumer-keys';
import { HygieneService } from './hygiene.service';

// Credential hygiene report over the broker's live keys (per account or across the
// accounts a viewer may see), with a suggested fix per finding and a CSV export.
@Module({
  imports: [AccountsModule, ConsumerKeysModule],
  providers: [HygieneService],
  exports: [HygieneService],
})
export class HygieneModule {}
