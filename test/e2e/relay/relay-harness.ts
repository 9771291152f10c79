import type { AddressInfo } from 'node:net';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { GrantsService, type CreateGrantInput, type CreatedGrant } from '@app/grants';
import type { AccessRule } from '@app/ovh-protocol';
import { RelayService } from '@app/relay-core';
import { createTestApp, type TestApp } from '../../utils/create-app';
import { type RunningEmulator, startTestEmulator } from '../../utils/start-emulator';
import { createTestDatabase, type TestDatabase } from '../../utils/test-database';
import { startUpstreamStub, type UpstreamStub } from './upstream-stub';
import {
  adminViewer,
  type DelegatedAccount,
  delegatedAccount,
  SYSTEM_CTX,
} from '../../integration/grants/grant-fixtures';

export const CK_RULES: AccessRule[] = [
  { method: 'GET', path: '/domain' },
  { method: 'GET', path: '/domain/*' },
  { method: 'POST', path: '/domain/zone/example.com/*' },
  { method: 'PUT', path: '/domain/zone/example.com/*' },
  { method: 'DELETE', path: '/domain/zone/example.com/*' },
];

export const RELAY_TEST_ENV: Record<string, string> = {
  JOBS_ENABLED: 'false',
  RELAY_CK_RATE_LIMIT_PER_MINUTE: '100000',
  RELAY_AUDIT_FLUSH_MS: '20',
};

export interface RelayInstance {
  app: TestApp;
  url: string;
  port: number;
  relay: RelayService;
}

export interface RelayHarness {
  db: TestDatabase;
  emulator: RunningEmulator;
  relay: RelayInstance;
  account: DelegatedAccount;
  grant(input?: Partial<CreateGrantInput>): Promise<CreatedGrant>;
  // What reached the emulator, apart from the relay's own clock syncs.
  upstreamCalls(): { method: string; target: string; headers: Record<string, unknown>; body: string }[];
  startInstance(env?: Record<string, string>): Promise<RelayInstance>;
  close(): Promise<void>;
}

export async function startRelayInstance(
  db: TestDatabase,
  env: Record<string, string> = {},
): Promise<RelayInstance> {
  const app = await createTestApp('relay', { ...RELAY_TEST_ENV, ...env }, db);
  const close = app.close.bind(app);
  let closing: Promise<void> | undefined;
  app.close = () => (closing ??= close());
  await app.app.listen(0, '127.0.0.1');
  const port = (app.app.getHttpServer().address() as AddressInfo).port;
  return { app, url: `http://127.0.0.1:${port}`, port, relay: app.app.get(RelayService) };
}

export async function startRelayHarness(
  env: Record<string, string> = {},
  ckRules: AccessRule[] = CK_RULES,
): Promise<RelayHarness> {
  const db = await createTestDatabase();
  const emulator = await startTestEmulator();
  const relay = await startRelayInstance(db, env);
  const account = await delegatedAccount(relay.app.app, emulator, ckRules);
  const instances = extraInstances(db, env);
  return {
    db,
    emulator,
    relay,
    account,
    grant: grantOn(relay, account, {
      holder: { type: 'tool', name: 'ci-pipeline' },
      accessRules: [
        { method: 'GET', path: '/domain' },
        { method: 'GET', path: '/domain/*' },
        { method: 'POST', path: '/domain/zone/example.com/record' },
        { method: 'PUT', path: '/domain/zone/example.com/record/*' },
        { method: 'DELETE', path: '/domain/zone/example.com/record/*' },
      ],
      ttlSeconds: 3600,
    }),
    upstreamCalls: () =>
      emulator.control
        .requests()
        .filter((r) => !/^\/(1\.0|v1|v2)\/auth\/(time|credential)/.test(r.target))
        .map((r) => ({ method: r.method, target: r.target, headers: r.headers, body: r.body })),
    startInstance: instances.start,
    async close() {
      await instances.closeAll();
      await relay.app.close();
      await emulator.close();
      await db.drop();
    },
  };
}

type GrantDefaults = Omit<CreateGrantInput, 'consumerKeyId'>;

// Grants on the harness account's consumer key: the harness defaults, overridden per test.
function grantOn(relay: RelayInstance, account: DelegatedAccount, defaults: GrantDefaults) {
  return (input: Partial<CreateGrantInput> = {}): Promise<CreatedGrant> =>
    relay.app.app
      .get(GrantsService)
      .create(
        adminViewer(),
        account.accountId,
        { consumerKeyId: account.consumerKeyId, ...defaults, ...input },
        SYSTEM_CTX,
      );
}

// More relay instances on the same database, closed with the harness.
function extraInstances(db: TestDatabase, env: Record<string, string>) {
  const extra: RelayInstance[] = [];
  return {
    async start(extraEnv: Record<string, string> = {}): Promise<RelayInstance> {
      const instance = await startRelayInstance(db, { ...env, ...extraEnv });
      extra.push(instance);
      return instance;
    },
    async closeAll(): Promise<void> {
      for (const instance of extra) await instance.app.close();
    },
  };
}

export const WIDE_CK_RULES: AccessRule[] = (['GET', 'POST', 'PUT', 'DELETE'] as const).map((method) => ({
  method,
  path: '/*',
}));

export interface StubbedRelay {
  db: TestDatabase;
  emulator: RunningEmulator;
  stub: UpstreamStub;
  relay: RelayInstance;
  account: DelegatedAccount;
  grant(input?: Partial<CreateGrantInput>): Promise<CreatedGrant>;
  startInstance(env?: Record<string, string>): Promise<RelayInstance>;
  close(): Promise<void>;
}

// A relay whose consumer key (validated by the emulator) points at a counting upstream stub.
export async function startStubbedRelay(env: Record<string, string> = {}): Promise<StubbedRelay> {
  const db = await createTestDatabase();
  const emulator = await startTestEmulator();
  const stub = await startUpstreamStub();
  const relay = await startRelayInstance(db, env);
  const account = await delegatedAccount(relay.app.app, emulator, WIDE_CK_RULES);
  await relay.app.app
    .get<DataSource>(getDataSourceToken())
    .query('UPDATE applications SET endpoint_base_url = $1 WHERE id = $2', [
      `${stub.url}/1.0`,
      account.applicationId,
    ]);
  const instances = extraInstances(db, env);
  return {
    db,
    emulator,
    stub,
    relay,
    account,
    grant: grantOn(relay, account, {
      holder: { type: 'tool', name: 'security-tests' },
      accessRules: [
        { method: 'GET', path: '/domain' },
        { method: 'GET', path: '/domain/*' },
        { method: 'GET', path: '/me' },
        { method: 'POST', path: '/domain/zone/*' },
        { method: 'PUT', path: '/domain/zone/*' },
      ],
      ttlSeconds: 3600,
      rateLimitPerMinute: 100000,
    }),
    startInstance: instances.start,
    async close() {
      await instances.closeAll();
      await relay.app.close();
      await stub.close();
      await emulator.close();
      await db.drop();
    },
  };
}
