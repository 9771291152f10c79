import { Module } from '@nestjs/common';
import { AccountsModule } from '@app/accounts';
import { ApplicationsModule } from '@app/applications';
import { ConsumerKeysModule } from '@app/consumer-keys';
import { NotificationsModule } from '@app/notifications';
import { AccountsController } from '../accounts/accounts.controller';
import { ApplicationsController } from '../applications/applications.controller';
import { WebhooksController } from '../webhooks/webhooks.controller';
import { ConsumerKeyCallbackController } from './consumer-key-callback.controller';
import { ConsumerKeysController, RulePresetsController } from './consumer-keys.controller';

// Application keys, delegated accounts, consumer keys (with the consent callback),
// rule presets and webhooks.
@Module({
  imports: [ApplicationsModule, AccountsModule, ConsumerKeysModule, NotificationsModule],
  controllers: [
    ApplicationsController,
    AccountsController,
    ConsumerKeysController,
    RulePresetsController,
    ConsumerKeyCallbackController,
    WebhooksController,
  ],
})
export class LifecycleApiModule {}
