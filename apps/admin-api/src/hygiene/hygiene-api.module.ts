import { Module } from '@nestjs/common';
import { ConsumerKeysModule } from '@app/consumer-keys';
import { HygieneModule } from '@app/hygiene';
import { HygieneController, ReplaceConsumerKeyController } from './hygiene.controller';

@Module({
  imports: [HygieneModule, ConsumerKeysModule],
  controllers: [HygieneController, ReplaceConsumerKeyController],
})
export class HygieneApiModule {}
