import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { EnvironmentVariables } from '@app/config';
import { ConsumerKeysModule } from '@app/consumer-keys';
import { GrantsModule } from '@app/grants';
import { RelayInvalidationListener } from './relay-invalidation.listener';
import { RelayLookups } from './relay-lookups.service';
import { RelayService } from './relay.service';
import { RELAY_SETTINGS, relaySettingsFromConfig } from './relay-settings';

// The signed-call relay: authenticates a grant's OVHcloud-style call (or bearer token), checks
// it against the grant and the consumer key, re-signs it with the real keys and forwards it.
// Mount RelayService.handle with installRelayServer (see apps/relay); see docs/relay.md.
@Module({
  imports: [GrantsModule, ConsumerKeysModule],
  providers: [
    {
      provide: RELAY_SETTINGS,
      inject: [ConfigService],
      useFactory: (config: ConfigService<EnvironmentVariables, true>) => relaySettingsFromConfig(config),
    },
    RelayInvalidationListener,
    RelayLookups,
    RelayService,
  ],
  exports: [RelayService, RelayLookups, RELAY_SETTINGS],
})
export class RelayCoreModule {}
