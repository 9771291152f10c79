import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JobsModule } from '@app/jobs';
import { AdminAuthGuard, OperatorLocalGuard } from './auth/guards';
import { AdminBearerStrategy, OperatorLocalStrategy } from './auth/strategies';
import { OPERATOR_ENTITIES } from './entities';
import { AuthThrottle } from './security/auth-throttle';
import { PasswordHasher } from './security/password-hasher';
import { ApiTokensService } from './services/api-tokens.service';
import { AuthService } from './services/auth.service';
import { OperatorsHousekeeping } from './services/housekeeping.service';
import { OperatorsService } from './services/operators.service';
import { SecuritySettingsService } from './services/security-settings.service';
import { SessionsService } from './services/sessions.service';
import { SetupService } from './services/setup.service';
import { TotpService } from './services/totp.service';

// Operators, sessions, second factor, API tokens and the admin API's auth guard.
// Needs the global AuditModule and VaultModule (the TOTP secret is sealed); registers
// its cleanup job with @app/jobs.
const SERVICES = [
  PasswordHasher,
  AuthThrottle,
  OperatorsService,
  SecuritySettingsService,
  SessionsService,
  TotpService,
  AuthService,
  ApiTokensService,
  SetupService,
  OperatorsHousekeeping,
];

@Module({
  imports: [PassportModule, JobsModule, TypeOrmModule.forFeature(OPERATOR_ENTITIES)],
  providers: [...SERVICES, AdminBearerStrategy, OperatorLocalStrategy, AdminAuthGuard, OperatorLocalGuard],
  exports: [...SERVICES, AdminAuthGuard, OperatorLocalGuard],
})
export class OperatorsModule {}
