import type { DataSourceOptions } from 'typeorm';
import { AccountEntity, AccountOperatorEntity } from '../libs/accounts/src/account.entity';
import { ApplicationEntity } from '../libs/applications/src/application.entity';
import { ConsumerKeyEntity } from '../libs/consumer-keys/src/consumer-key.entity';
import { GrantEntity } from '../libs/grants/src/grant.entity';
import { JobRunEntity } from '../libs/jobs/src/job-run.entity';
import { WebhookDeliveryEntity, WebhookEntity } from '../libs/notifications/src/webhook.entity';
import { AuditEventEntity } from '../libs/audit/src/audit-event.entity';
import { OPERATOR_ENTITIES } from '../libs/operators/src/entities';
import { VAULT_ENTITIES } from '../libs/vault/src/vault.entities';

// Entities known to the TypeORM CLI. Add each new entity here.
export const CLI_ENTITIES: NonNullable<DataSourceOptions['entities']> = [
  AuditEventEntity,
  ...OPERATOR_ENTITIES,
  ...VAULT_ENTITIES,
  ApplicationEntity,
  AccountEntity,
  AccountOperatorEntity,
  ConsumerKeyEntity,
  JobRunEntity,
  WebhookEntity,
  WebhookDeliveryEntity,
  GrantEntity,
];
