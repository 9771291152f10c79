import type { DataSourceOptions } from 'typeorm';
import { AuditEventEntity } from '../libs/audit/src/audit-event.entity';

// Entities known to the TypeORM CLI. Add each new entity here.
export const CLI_ENTITIES: NonNullable<DataSourceOptions['entities']> = [AuditEventEntity];
