import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditModule } from '@app/audit';
import { Clock, CommonModule, FakeClock } from '@app/common';
import { BrokerConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { GrantsModule } from '@app/grants';
import { TEST_MASTER_KEY, VaultModule } from '@app/vault';

export interface GrantsContext {
  app: INestApplicationContext;
  db: DataSource;
  clock: FakeClock;
  close(): Promise<void>;
}

export async function startGrantsContext(
  url: string,
  env: Record<string, string> = {},
): Promise<GrantsContext> {
  Object.assign(process.env, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: url,
    MASTER_KEY: TEST_MASTER_KEY,
    JOBS_ENABLED: 'false',
    ...env,
  });
  const clock = new FakeClock(new Date());
  const moduleRef = await Test.createTestingModule({
    imports: [BrokerConfigModule, CommonModule, DatabaseModule, VaultModule, AuditModule, GrantsModule],
  })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  moduleRef.useLogger(false);
  const app = await moduleRef.init();
  return { app, db: app.get<DataSource>(getDataSourceToken()), clock, close: () => app.close() };
}
