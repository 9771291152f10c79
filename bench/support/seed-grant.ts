import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { AuditModule } from '@app/audit';
import { CommonModule } from '@app/common';
import { BrokerConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import { GrantsModule, GrantsService } from '@app/grants';
import { VaultModule } from '@app/vault';
import { adminViewer, delegatedAccount, SYSTEM_CTX } from '../../test/integration/grants/grant-fixtures';
import { startTestEmulator } from '../../test/utils/start-emulator';

// A delegated account with a consumer key validated through the emulator's consent flow, a grant
// on it, and the application pointed at the benchmark's upstream stub. Returns the grant's bearer token.
export async function seedGrant(
  databaseUrl: string,
  stubUrl: string,
  masterKey: string,
  holderName: string,
): Promise<string> {
  Object.assign(process.env, {
    NODE_ENV: 'development',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    MASTER_KEY: masterKey,
    JOBS_ENABLED: 'false',
  });
  const emulator = await startTestEmulator();
  const moduleRef = await Test.createTestingModule({
    imports: [BrokerConfigModule, CommonModule, DatabaseModule, VaultModule, AuditModule, GrantsModule],
  }).compile();
  moduleRef.useLogger(false);
  const app = await moduleRef.init();
  try {
    const account = await delegatedAccount(app, emulator, [{ method: 'GET', path: '/domain/*' }]);
    const { credentials } = await app.get(GrantsService).create(
      adminViewer(),
      account.accountId,
      {
        consumerKeyId: account.consumerKeyId,
        holder: { type: 'tool', name: holderName },
        accessRules: [{ method: 'GET', path: '/domain/*' }],
        ttlSeconds: 86_400,
        rateLimitPerMinute: 1_000_000,
      },
      SYSTEM_CTX,
    );
    await app
      .get(DataSource)
      .query('UPDATE applications SET endpoint_base_url = $1 WHERE id = $2', [
        `${stubUrl}/1.0`,
        account.applicationId,
      ]);
    return credentials.bearerToken;
  } finally {
    await app.close();
    await emulator.close();
  }
}
