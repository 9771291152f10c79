import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { AuthPublicController } from './auth/auth-public.controller';
import { AuthSignedController } from './auth/auth-signed.controller';
import { ConsentController } from './auth/consent.controller';
import { OvhAuthGuard } from './auth/ovh-auth.guard';
import { ControlStateService } from './control/control-state.service';
import { ControlController } from './control/control.controller';
import { DomainController } from './domain/domain.controller';
import { EMULATOR_OPTIONS, type EmulatorModuleOptions, resolveEmulatorOptions } from './emulator-options';
import { OvhExceptionFilter } from './http/ovh-exception.filter';
import { OvhJsonInterceptor } from './http/ovh-json.interceptor';
import { MeApiController } from './me/me-api.controller';
import { MeController } from './me/me.controller';
import { EmulatorClock } from './state/emulator-clock';
import { EmulatorStateService } from './state/emulator-state.service';

// In-memory fake of the OVHcloud API (auth, credentials, /me, DNS) for tests and local runs.
// Use through startEmulator(), which also installs the raw-body, query-id, log and fault middlewares.
@Module({})
export class OvhEmulatorModule {
  static forRoot(options: EmulatorModuleOptions = {}): DynamicModule {
    const resolved = resolveEmulatorOptions(options);
    return {
      module: OvhEmulatorModule,
      controllers: [
        AuthPublicController,
        AuthSignedController,
        ConsentController,
        MeController,
        MeApiController,
        DomainController,
        ...(resolved.control ? [ControlController] : []),
      ],
      providers: [
        { provide: EMULATOR_OPTIONS, useValue: resolved },
        EmulatorClock,
        EmulatorStateService,
        ControlStateService,
        { provide: APP_GUARD, useClass: OvhAuthGuard },
        { provide: APP_FILTER, useClass: OvhExceptionFilter },
        { provide: APP_INTERCEPTOR, useClass: OvhJsonInterceptor },
      ],
      exports: [EMULATOR_OPTIONS, EmulatorClock, EmulatorStateService, ControlStateService],
    };
  }
}
