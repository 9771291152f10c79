import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { validateEnvironment } from './env.validation';

// One validated configuration for every app, read when the app is created (not
// when this file is imported), so tests can start apps with different settings.
// Read it with `ConfigService<EnvironmentVariables, true>` and `get('NAME', { infer: true })`.
@Global()
@Module({
  providers: [
    { provide: ConfigService, useFactory: () => new ConfigService(validateEnvironment(process.env)) },
  ],
  exports: [ConfigService],
})
export class BrokerConfigModule {}
