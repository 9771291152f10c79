import { DataSource } from 'typeorm';
import { AccountsService } from '@app/accounts';
import type { AuditContext } from '@app/audit';
import { isDomainException } from '@app/common';
import { KeyImportService } from '@app/key-import';
import { createTestApp, type TestApp } from '../../utils/create-app';
import {
  EMULATOR_APP,
  endpointOf,
  issueValidatedConsumerKey,
  type RunningEmulator,
  startTestEmulator,
} from '../../utils/start-emulator';

const ctx: AuditContext = { actor: { type: 'system', label: 'test' } };
const admin = { operatorId: '00000000-0000-4000-8000-00000000000a', role: 'admin' as const };

// Races mocks cannot show: the same key imported concurrently (twice into one account,
// and into two accounts) ends as one stored key, one application; the others get 409.
describe('KeyImportService under concurrency', () => {
  let t: TestApp;
  let emulator: RunningEmulator;
  let accounts: string[];

  beforeAll(async () => {
    emulator = await startTestEmulator();
    t = await createTestApp('admin-api', { JOBS_ENABLED: 'false' });
    const svc = t.app.get(AccountsService);
    accounts = [
      (await svc.create({ displayName: 'One' }, ctx)).id,
      (await svc.create({ displayName: 'Two' }, ctx)).id,
    ];
  });

  afterAll(async () => {
    await t?.close();
    await emulator?.close();
  });

  it('stores one key and one application when the same credential is imported five times at once', async () => {
    const ck = await issueValidatedConsumerKey(emulator, [{ method: 'GET', path: '/me' }]);
    const config = {
      endpoint: endpointOf(emulator),
      applicationKey: EMULATOR_APP.applicationKey,
      applicationSecret: EMULATOR_APP.applicationSecret,
      consumerKey: ck,
    };
    const results = await Promise.allSettled(
      [0, 1, 0, 1, 0].map((i) =>
        t.app
          .get(KeyImportService)
          .importKey(admin, { accountId: accounts[i], config, source: 'triple' }, ctx),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    expect(ok).toHaveLength(1);
    const keyId = (ok[0] as PromiseFulfilledResult<{ key: { id: string } }>).value.key.id;
    for (const r of results.filter((x) => x.status === 'rejected')) {
      const e = (r as PromiseRejectedResult).reason;
      expect(isDomainException(e) ? e.code : e).toBe('CONSUMER_KEY_ALREADY_MANAGED');
      expect(e.details).toEqual({ existingKeyId: keyId });
    }
    const ds = t.app.get(DataSource);
    expect((await ds.query('SELECT count(*)::int AS n FROM consumer_keys'))[0].n).toBe(1);
    expect((await ds.query('SELECT count(*)::int AS n FROM applications'))[0].n).toBe(1);
  });
});
