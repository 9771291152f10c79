import type { DataSourceOptions } from 'typeorm';
import { AuditEventEntity } from '../libs/audit/src/audit-event.entity';
import { VAULT_ENTITIES } from '../libs/vault/src/vault.entities';

// Entities known to the TypeORM CLI. Add each new entity here.
export const CLI_ENTITIES: NonNullable<DataSourceOptions['entities']> = [AuditEventEntity, ...VAULT_ENTITIES];
