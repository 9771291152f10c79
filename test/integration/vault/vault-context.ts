import { randomBytes } from 'node:crypto';
import { Global, Module, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Clock, CommonModule, FakeClock, ReadinessService } from '@app/common';
import { BrokerConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import {
  VAULT_OPTIONS,
  VaultModule,
  VaultRotationService,
  VaultService,
  type VaultOptions,
} from '@app/vault';

export const newKey = (): string => randomBytes(32).toString('base64');

export interface KeyEnv {
  MASTER_KEY?: string;
  MASTER_KEYS?: string;
  MASTER_KEY_ID?: string;
  MASTER_KEY_FILE?: string;
}

export interface VaultContext {
  ctx: INestApplicationContext;
  vault: VaultService;
  rotation: VaultRotationService;
  readiness: ReadinessService;
  db: DataSource;
  clock: FakeClock;
  close(): Promise<void>;
}

export const TEST_TABLE = 'vault_test_secrets';

// Boots config + database + vault against `url` with exactly the given master
// key variables (the others cleared), as a process restart would.
export async function startVault(
  url: string,
  keys: KeyEnv,
  options: Partial<VaultOptions> = {},
  register = true,
): Promise<VaultContext> {
  Object.assign(process.env, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: url,
    MASTER_KEY: '',
    MASTER_KEYS: '',
    MASTER_KEY_ID: '',
    MASTER_KEY_FILE: '',
    ...keys,
  });
  const clock = new FakeClock(new Date());
  @Global()
  @Module({ providers: [{ provide: VAULT_OPTIONS, useValue: options }], exports: [VAULT_OPTIONS] })
  class VaultOptionsModule {}
  const moduleRef = await Test.createTestingModule({
    imports: [BrokerConfigModule, CommonModule, DatabaseModule, VaultOptionsModule, VaultModule],
  })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  moduleRef.useLogger(false);
  const vault = moduleRef.get(VaultService);
  if (register) vault.registerSealedColumn({ table: TEST_TABLE, column: 'secret_ct', idColumn: 'id' });
  const ctx = await moduleRef.init();
  return {
    ctx,
    vault,
    rotation: moduleRef.get(VaultRotationService),
    readiness: moduleRef.get(ReadinessService),
    db: moduleRef.get<DataSource>(getDataSourceToken()),
    clock,
    close: () => ctx.close(),
  };
}

export async function createTestTable(db: DataSource): Promise<void> {
  await db.query(
    `CREATE TABLE IF NOT EXISTS ${TEST_TABLE} (id uuid PRIMARY KEY, label text NOT NULL, secret_ct text)`,
  );
}

export async function expectDomainError(p: Promise<unknown>, code: string, reason?: string): Promise<void> {
  await expect(p).rejects.toMatchObject({
    name: 'DomainException',
    code,
    ...(reason ? { details: { reason } } : {}),
  });
}
