import type { DataSourceOptions } from 'typeorm';
import { ALL_MIGRATIONS } from '../../../migrations';
import { NotificationForwardingClient } from './notifications';
import { SnakeNamingStrategy } from './snake-naming.strategy';

export interface DatabaseSettings {
  url: string;
  poolSize?: number;
  statementTimeoutMs?: number;
  connectTimeoutMs?: number;
  applicationName?: string;
}

// The one place the connection options are built: used by the apps (through
// DatabaseModule) and by the TypeORM CLI (migrations/data-source.ts).
export function buildTypeOrmOptions(settings: DatabaseSettings): DataSourceOptions {
  const statementTimeout = settings.statementTimeoutMs ?? 5000;
  return {
    type: 'postgres',
    url: settings.url,
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    migrationsRun: false,
    migrationsTableName: 'typeorm_migrations',
    migrations: ALL_MIGRATIONS,
    migrationsTransactionMode: 'each',
    extra: {
      max: settings.poolSize ?? 10,
      connectionTimeoutMillis: settings.connectTimeoutMs ?? 2000,
      statement_timeout: statementTimeout,
      idle_in_transaction_session_timeout: Math.max(statementTimeout * 2, 10000),
      application_name: settings.applicationName ?? 'ovh-broker',
      idleTimeoutMillis: 30000,
      // the embedded engine delivers NOTIFY to the committing connection (see notifications.ts)
      Client: NotificationForwardingClient,
    },
  };
}
