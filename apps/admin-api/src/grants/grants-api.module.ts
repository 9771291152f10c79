import { Module } from '@nestjs/common';
import { GrantsModule } from '@app/grants';
import { GrantSettingsController, GrantsController } from './grants.controller';

@Module({
  imports: [GrantsModule],
  controllers: [GrantsController, GrantSettingsController],
})
export class GrantsApiModule {}
