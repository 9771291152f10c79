import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountEntity, AccountOperatorEntity } from './account.entity';
import { AccountsService } from './accounts.service';

// Delegated customer accounts and their assigned operators. AccountsService.getVisible
// is the one visibility check for every account-scoped route (404 when not visible).
@Module({
  imports: [TypeOrmModule.forFeature([AccountEntity, AccountOperatorEntity])],
  providers: [AccountsService],
  exports: [AccountsService],
})
export class AccountsModule {}
