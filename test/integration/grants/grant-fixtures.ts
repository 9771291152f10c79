import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { AccountsService } from '@app/accounts';
import { ApplicationsService } from '@app/applications';
import type { AuditContext } from '@app/audit';
import { ConsumerKeysService } from '@app/consumer-keys';
import type { AccessRule } from '@app/ovh-protocol';
import {
  EMULATOR_ACCOUNT,
  EMULATOR_APP,
  type RunningEmulator,
  validateConsumerKey,
} from '../../utils/start-emulator';

export const SYSTEM_CTX: AuditContext = { actor: { type: 'system', label: 'test' } };

export function adminViewer(): { operatorId: string; role: 'admin' } {
  return { operatorId: randomUUID(), role: 'admin' };
}

export interface DelegatedAccount {
  accountId: string;
  applicationId: string;
  consumerKeyId: string;
  // The real consumer key, as the emulator knows it (for assertions only).
  realConsumerKey: string;
}

let applicationId: string | undefined;

// Registers the emulator's application once, then an account with a consumer key the
// emulator's customer validated, exactly as an operator would through the broker.
export async function delegatedAccount(
  app: INestApplicationContext,
  emulator: RunningEmulator,
  rules: AccessRule[],
  options: { validitySeconds?: number | null; displayName?: string } = {},
): Promise<DelegatedAccount> {
  const viewer = adminViewer();
  const applications = app.get(ApplicationsService);
  if (!applicationId || !(await applications.list()).some((a) => a.id === applicationId)) {
    const registered = await applications.register(
      {
        label: `emulator ${randomUUID().slice(0, 8)}`,
        endpoint: `${emulator.url}/1.0`,
        appKey: EMULATOR_APP.applicationKey,
        appSecret: EMULATOR_APP.applicationSecret,
      },
      SYSTEM_CTX,
    );
    applicationId = registered.id;
  }
  const account = await app
    .get(AccountsService)
    .create({ displayName: options.displayName ?? 'Customer' }, SYSTEM_CTX);
  const consumerKeys = app.get(ConsumerKeysService);
  const before = new Set(emulator.state.credentials.keys());
  const { key } = await consumerKeys.request(
    viewer,
    account.id,
    { applicationId, accessRules: rules, validitySeconds: options.validitySeconds ?? null },
    undefined,
    SYSTEM_CTX,
  );
  const realConsumerKey = [...emulator.state.credentials.keys()].find((k) => !before.has(k));
  if (!realConsumerKey) throw new Error('the emulator did not issue a consumer key');
  validateConsumerKey(emulator, realConsumerKey, EMULATOR_ACCOUNT.nichandle, null);
  const refreshed = await consumerKeys.refresh(viewer, account.id, key.id, SYSTEM_CTX);
  if (refreshed.state !== 'validated') throw new Error(`consumer key is ${refreshed.state}, not validated`);
  return { accountId: account.id, applicationId, consumerKeyId: key.id, realConsumerKey };
}

export function resetFixtureCache(): void {
  applicationId = undefined;
}
