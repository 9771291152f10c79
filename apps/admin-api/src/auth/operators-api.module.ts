import { Module } from '@nestjs/common';
import { OperatorsModule } from '@app/operators';
import { ApiTokensController } from '../api-tokens/api-tokens.controller';
import { AuditController } from '../audit/audit.controller';
import { MeController, OperatorsController } from '../operators/operators.controller';
import { SettingsController } from '../settings/settings.controller';
import { AuthController } from './auth.controller';
import { SetupController, SetupTokenAnnouncer } from './setup.controller';

// Login, 2FA, operators, API tokens, security settings and the audit trail routes.
@Module({
  imports: [OperatorsModule],
  controllers: [
    AuthController,
    SetupController,
    MeController,
    OperatorsController,
    ApiTokensController,
    SettingsController,
    AuditController,
  ],
  providers: [SetupTokenAnnouncer],
})
export class OperatorsApiModule {}
