import { Global, Inject, Logger, Module, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EnvironmentVariables } from '@app/config';
import { ReadinessService } from '@app/common';
import { acquireSharedEmbeddedPostgres, EmbeddedPostgres } from './embedded-postgres';
import { hasPendingMigrations, runMigrationsLocked } from './migrate';
import { buildTypeOrmOptions } from './typeorm-options';

const runtimeByUrl = new Map<string, { embedded?: EmbeddedPostgres; runMigrations: boolean }>();

// Connects to DATABASE_URL (or the embedded engine when it is unset), applies
// pending migrations under an advisory lock, and reports readiness.
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: async (config: ConfigService<EnvironmentVariables, true>) => {
        let url = config.get('DATABASE_URL', { infer: true });
        let embedded: EmbeddedPostgres | undefined;
        if (!url) {
          embedded = await acquireSharedEmbeddedPostgres(config.get('DATA_DIR', { infer: true }));
          url = embedded.url;
        }
        runtimeByUrl.set(url, { embedded, runMigrations: config.get('MIGRATIONS_RUN', { infer: true }) });
        return {
          ...buildTypeOrmOptions({
            url,
            poolSize: config.get('DATABASE_POOL_SIZE', { infer: true }),
            statementTimeoutMs: config.get('DATABASE_STATEMENT_TIMEOUT_MS', { infer: true }),
            connectTimeoutMs: config.get('DATABASE_CONNECT_TIMEOUT_MS', { infer: true }),
          }),
          autoLoadEntities: true,
          retryAttempts: config.get('NODE_ENV', { infer: true }) === 'test' ? 1 : 5,
          retryDelay: 1000,
        };
      },
      dataSourceFactory: async (options) => {
        if (!options) throw new Error('Database options are missing');
        const url = (options as { url?: string }).url ?? '';
        const runtime = runtimeByUrl.get(url);
        const dataSource = new DataSource(options);
        try {
          await dataSource.initialize();
        } catch (e) {
          throw new Error(`Cannot connect to the database: ${describeConnectionError(e)}`, { cause: e });
        }
        const destroy = dataSource.destroy.bind(dataSource);
        // the embedded engine must outlive the pool, so it stops right after it
        dataSource.destroy = async () => {
          await destroy();
          await runtime?.embedded?.stop();
        };
        if (runtime?.runMigrations !== false) {
          const applied = await runMigrationsLocked(dataSource);
          if (applied.length > 0)
            new Logger('Database').log(`Applied ${applied.length} migration(s): ${applied.join(', ')}`);
        }
        return dataSource;
      },
    }),
  ],
})
export class DatabaseModule implements OnModuleInit {
  private migrationsDone = false;

  constructor(
    @Inject(getDataSourceToken()) private readonly dataSource: DataSource,
    private readonly readiness: ReadinessService,
  ) {}

  onModuleInit(): void {
    this.readiness.register('database', async () => {
      await this.dataSource.query('SELECT 1');
      return { ok: true };
    });
    this.readiness.register('migrations', async () => {
      if (!this.migrationsDone) this.migrationsDone = !(await hasPendingMigrations(this.dataSource));
      return this.migrationsDone ? { ok: true } : { ok: false, detail: 'pending migrations' };
    });
  }
}

// Connection errors can quote the URL, password included; keep only what helps.
export function describeConnectionError(e: unknown): string {
  if (e && typeof e === 'object') {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && /^[A-Z0-9_]+$/.test(code)) {
      const text = typeof message === 'string' ? message.replace(/postgres(ql)?:\/\/\S+/g, '<url>') : '';
      return `${code}${text ? ` (${text})` : ''}`;
    }
    if (typeof message === 'string') return message.replace(/postgres(ql)?:\/\/\S+/g, '<url>');
  }
  return 'unknown error';
}
