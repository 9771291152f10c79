import type { NestExpressApplication } from '@nestjs/platform-express';
import { createTestDatabase, TestDatabase } from './test-database';

export interface TestApp {
  app: NestExpressApplication;
  db: TestDatabase;
  close(): Promise<void>;
}

// Boots an app exactly as main.ts does (same module, same configure step),
// against a database of its own.
export async function createTestApp(
  which: 'admin-api' | 'relay',
  env: Record<string, string> = {},
  db?: TestDatabase,
): Promise<TestApp> {
  const database = db ?? (await createTestDatabase());
  Object.assign(process.env, { NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: database.url, ...env });
  const app =
    which === 'admin-api'
      ? await (await import('../../apps/admin-api/src/bootstrap')).createAdminApi()
      : await (await import('../../apps/relay/src/bootstrap')).createRelay();
  await app.init();
  return {
    app,
    db: database,
    async close() {
      await app.close();
      if (!db) await database.drop();
    },
  };
}
