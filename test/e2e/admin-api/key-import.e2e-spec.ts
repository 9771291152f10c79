import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { AccessRule } from '@app/ovh-protocol';
import { runCli } from '../../../apps/cli/src/run-cli';
import { createKeysImportCommand } from '../../../apps/cli/src/commands/keys-import.command';
import { bearer, createOperator, type TestOperator } from '../../utils/auth';
import { createTestApp, type TestApp } from '../../utils/create-app';
import {
  EMULATOR_ACCOUNT,
  EMULATOR_APP,
  EMULATOR_OTHER_APP,
  endpointOf,
  issueValidatedConsumerKey,
  requestConsumerKey,
  type RunningEmulator,
  startTestEmulator,
} from '../../utils/start-emulator';

const DISCOVERY_RULES: AccessRule[] = [
  { method: 'GET', path: '/me' },
  { method: 'GET', path: '/me/api/credential' },
  { method: 'GET', path: '/me/api/credential/*' },
  { method: 'GET', path: '/domain/*' },
];
const DNS_RULES: AccessRule[] = [{ method: 'GET', path: '/domain/zone/example.com/*' }];

// Bringing existing keys under management against the OVH emulator: a key triple, an
// ovh.conf file and OVH_* variables (API and CLI), every refusal with its reason and
// nothing stored, duplicates, and discovery of the account's other credentials.
describe('key import (admin API + CLI + OVH emulator)', () => {
  let t: TestApp;
  let emulator: RunningEmulator;
  let admin: TestOperator;
  let operator: TestOperator;
  let stranger: TestOperator;
  let auditor: TestOperator;
  let accountId: string;
  let firstKeyId: string;
  let tmp: string;
  const secrets: string[] = [EMULATOR_APP.applicationSecret];
  const http = () => request(t.app.getHttpServer());
  const db = () => t.app.get(DataSource);
  const importPath = () => `/api/v1/accounts/${accountId}/consumer-keys/import`;
  const count = async (table: string) =>
    Number((await db().query(`SELECT count(*)::int AS n FROM ${table}`))[0].n);
  const credentialOf = (ck: string) => emulator.state.credentials.get(ck);
  const triple = (consumerKey: string, over: Record<string, string> = {}) => ({
    endpoint: endpointOf(emulator),
    applicationKey: EMULATOR_APP.applicationKey,
    applicationSecret: EMULATOR_APP.applicationSecret,
    consumerKey,
    ...over,
  });
  async function newKey(rules: AccessRule[], options: Parameters<typeof issueValidatedConsumerKey>[2] = {}) {
    const ck = await issueValidatedConsumerKey(emulator, rules, options);
    secrets.push(ck);
    return ck;
  }
  async function expectNothingStored<T>(fn: () => Promise<T>): Promise<T> {
    const before = [await count('consumer_keys'), await count('applications')];
    const result = await fn();
    expect([await count('consumer_keys'), await count('applications')]).toEqual(before);
    return result;
  }
  async function cli(argv: string[]) {
    const lines: string[] = [];
    const code = await runCli(argv, (l) => lines.push(l));
    return { code, text: lines.join('\n') };
  }

  beforeAll(async () => {
    emulator = await startTestEmulator();
    t = await createTestApp('admin-api', {
      JOBS_ENABLED: 'false',
      PUBLIC_URL: 'http://broker.test',
      LOGIN_MAX_FAILURES_PER_IP: '1000',
    });
    admin = await createOperator(t.app, { role: 'admin' });
    operator = await createOperator(t.app, { role: 'operator' });
    stranger = await createOperator(t.app, { role: 'operator' });
    auditor = await createOperator(t.app, { role: 'auditor' });
    accountId = (
      await http().post('/api/v1/accounts').set(bearer(admin.token)).send({ displayName: 'Acme' }).expect(201)
    ).body.id;
    await http()
      .put(`/api/v1/accounts/${accountId}/operators`)
      .set(bearer(admin.token))
      .send({ operatorIds: [operator.operatorId] })
      .expect(200);
    tmp = await mkdtemp(join(tmpdir(), 'key-import-'));
  });

  afterAll(async () => {
    await t?.close();
    await emulator?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  describe('from a key triple', () => {
    it('refuses an operator when the application is not registered yet (only admins register)', async () => {
      const ck = await newKey(DNS_RULES);
      const res = await expectNothingStored(() =>
        http().post(importPath()).set(bearer(operator.token)).send(triple(ck)).expect(403),
      );
      expect(res.body.code).toBe('KEY_IMPORT_APPLICATION_NOT_REGISTERED');
    });

    it('imports a validated key, registers its application, and records what OVHcloud holds', async () => {
      const ck = await newKey(DISCOVERY_RULES, { validitySeconds: 30 * 86_400 });
      const res = await http()
        .post(importPath())
        .set(bearer(admin.token))
        .send({ ...triple(ck), label: 'legacy CI key' })
        .expect(201);
      const upstream = credentialOf(ck)!;
      expect(res.body).toMatchObject({
        state: 'validated',
        origin: 'imported',
        applicationRegistered: true,
        credentialId: upstream.credentialId,
        nichandle: EMULATOR_ACCOUNT.nichandle,
        label: 'legacy CI key',
        upstreamRules: DISCOVERY_RULES,
        allowedIPs: null,
      });
      // OVHcloud dates have whole seconds.
      expect(new Date(res.body.upstreamExpiresAt).getTime()).toBe(
        Math.floor(upstream.expiration! / 1000) * 1000,
      );
      expect(res.body.lastUseAt).not.toBeNull();
      firstKeyId = res.body.id;
      const [row] = await db().query('SELECT consumer_key_sealed, origin FROM consumer_keys WHERE id = $1', [
        firstKeyId,
      ]);
      expect(row.origin).toBe('imported');
      expect(row.consumer_key_sealed).not.toContain(ck);
      expect(JSON.stringify(res.body)).not.toContain(ck);
      // The account learnt its nichandle from the key.
      const account = await http().get(`/api/v1/accounts/${accountId}`).set(bearer(admin.token)).expect(200);
      expect(account.body.nichandle).toBe(EMULATOR_ACCOUNT.nichandle);
    });

    it('answers 409 with the existing key id when the same credential is imported again', async () => {
      const [row] = await db().query('SELECT credential_id FROM consumer_keys WHERE id = $1', [firstKeyId]);
      const ck = [...emulator.state.credentials.values()].find(
        (c) => c.credentialId === Number(row.credential_id),
      )!.consumerKey;
      const res = await expectNothingStored(() =>
        http().post(importPath()).set(bearer(operator.token)).send(triple(ck)).expect(409),
      );
      expect(res.body).toMatchObject({
        code: 'CONSUMER_KEY_ALREADY_MANAGED',
        details: { existingKeyId: firstKeyId },
      });
    });

    it('lets an assigned operator import once the application is known; strangers get 404, auditors 403', async () => {
      const ck = await newKey(DNS_RULES, { allowedIPs: ['127.0.0.1/32'] });
      await http().post(importPath()).set(bearer(stranger.token)).send(triple(ck)).expect(404);
      await http().post(importPath()).set(bearer(auditor.token)).send(triple(ck)).expect(403);
      const res = await http().post(importPath()).set(bearer(operator.token)).send(triple(ck)).expect(201);
      expect(res.body).toMatchObject({ applicationRegistered: false, allowedIPs: ['127.0.0.1/32'] });
    });
  });

  describe('refusals: a reason each, and nothing stored', () => {
    it('refuses a key the customer has not validated yet (OVHcloud: INVALID_CREDENTIAL)', async () => {
      const { consumerKey } = await requestConsumerKey(emulator, DNS_RULES);
      const res = await expectNothingStored(() =>
        http().post(importPath()).set(bearer(admin.token)).send(triple(consumerKey)).expect(422),
      );
      expect(res.body.code).toBe('KEY_IMPORT_CREDENTIAL_INVALID');
      expect(res.body.message).toMatch(/not validated it yet/);
    });

    it('refuses a key that was logged out (revoked) or expired', async () => {
      const ck = await newKey(DNS_RULES);
      emulator.state.expireCredential(credentialOf(ck)!);
      const res = await expectNothingStored(() =>
        http().post(importPath()).set(bearer(admin.token)).send(triple(ck)).expect(422),
      );
      expect(res.body).toMatchObject({
        code: 'KEY_IMPORT_CREDENTIAL_INVALID',
        details: { upstream: 'credential-invalid' },
      });
      expect(res.body.message).toMatch(/expired, was logged out or revoked/);
    });

    it('refuses a deleted key, and a key of another application (NOT_CREDENTIAL)', async () => {
      const deleted = await newKey(DNS_RULES);
      emulator.state.deleteCredential(deleted);
      const other = await newKey(DNS_RULES, { appKey: EMULATOR_OTHER_APP.applicationKey });
      for (const ck of [deleted, other]) {
        const res = await expectNothingStored(() =>
          http().post(importPath()).set(bearer(admin.token)).send(triple(ck)).expect(422),
        );
        expect(res.body.code).toBe('KEY_IMPORT_CREDENTIAL_UNKNOWN');
      }
    });

    it('refuses an application key OVHcloud does not know (INVALID_KEY), registering nothing', async () => {
      const ck = await newKey(DNS_RULES);
      const res = await expectNothingStored(() =>
        http()
          .post(importPath())
          .set(bearer(admin.token))
          .send(triple(ck, { applicationKey: 'UnknownAppKey123' }))
          .expect(422),
      );
      expect(res.body.code).toBe('KEY_IMPORT_APPLICATION_KEY_UNKNOWN');
    });

    it('refuses a wrong application secret for a new application (INVALID_SIGNATURE)', async () => {
      const ck = await newKey(DNS_RULES, { appKey: EMULATOR_OTHER_APP.applicationKey });
      const wrong = 'WrongSecret0123456789abcdefABCDE';
      const res = await expectNothingStored(() =>
        http()
          .post(importPath())
          .set(bearer(admin.token))
          .send(triple(ck, { applicationKey: EMULATOR_OTHER_APP.applicationKey, applicationSecret: wrong }))
          .expect(422),
      );
      expect(res.body.code).toBe('KEY_IMPORT_APPLICATION_SECRET_WRONG');
      expect(JSON.stringify(res.body)).not.toContain(wrong);
    });

    it('refuses a known application key given with another secret, without calling OVHcloud', async () => {
      const ck = await newKey(DNS_RULES);
      const calls = emulator.control.requests().length;
      const res = await expectNothingStored(() =>
        http()
          .post(importPath())
          .set(bearer(admin.token))
          .send(triple(ck, { applicationSecret: 'B'.repeat(32) }))
          .expect(409),
      );
      expect(res.body.code).toBe('KEY_IMPORT_APPLICATION_SECRET_MISMATCH');
      expect(emulator.control.requests().length).toBe(calls);
    });

    it('answers 502 when OVHcloud is unreachable or failing', async () => {
      const ck = await newKey(DNS_RULES);
      emulator.control.addFault({ pathPattern: '*/auth/currentCredential', status: 503, times: 1 });
      const failing = await expectNothingStored(() =>
        http().post(importPath()).set(bearer(admin.token)).send(triple(ck)).expect(502),
      );
      expect(failing.body.code).toBe('KEY_IMPORT_UPSTREAM_UNAVAILABLE');
      const down = await expectNothingStored(() =>
        http()
          .post(importPath())
          .set(bearer(admin.token))
          .send(triple(ck, { endpoint: 'http://127.0.0.1:1/1.0' }))
          .expect(502),
      );
      expect(down.body.code).toBe('KEY_IMPORT_UPSTREAM_UNAVAILABLE');
    });

    it('refuses malformed input with 400 before any upstream call', async () => {
      const calls = emulator.control.requests().length;
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ ...triple('short') }, 'KEY_IMPORT_KEY_FORMAT'],
        [
          { endpoint: endpointOf(emulator), applicationKey: EMULATOR_APP.applicationKey },
          'KEY_IMPORT_CONFIG_INVALID',
        ],
        [{ ...triple('A'.repeat(32), { endpoint: 'mars-1' }) }, 'KEY_IMPORT_CONFIG_INVALID'],
        [{ ovhConf: '[default]\nendpoint=ovh-eu\n' }, 'KEY_IMPORT_CONFIG_INVALID'],
        [{ ovhConf: '[default]\n', consumerKey: 'A'.repeat(32) }, 'KEY_IMPORT_CONFIG_INVALID'],
        [{ ...triple('A'.repeat(32)), extra: 1 }, 'VALIDATION_FAILED'],
      ];
      for (const [body, code] of cases) {
        const res = await expectNothingStored(() =>
          http().post(importPath()).set(bearer(admin.token)).send(body).expect(400),
        );
        expect(res.body.code).toBe(code);
      }
      expect(emulator.control.requests().length).toBe(calls);
    });
  });

  describe('from an ovh.conf file and from OVH_* variables', () => {
    it('imports the content of an ovh.conf file through the API', async () => {
      const ck = await newKey(DNS_RULES);
      const conf = [
        '; written by python-ovh users',
        '[default]',
        `endpoint=${endpointOf(emulator)}`,
        '',
        `[${endpointOf(emulator)}]`,
        `application_key=${EMULATOR_APP.applicationKey}`,
        `application_secret=${EMULATOR_APP.applicationSecret}`,
        `consumer_key=${ck}`,
      ].join('\n');
      const res = await http()
        .post(importPath())
        .set(bearer(operator.token))
        .send({ ovhConf: conf })
        .expect(201);
      expect(res.body).toMatchObject({ origin: 'imported', credentialId: credentialOf(ck)!.credentialId });
    });

    it('imports from a file with the CLI (keys:import --conf)', async () => {
      const ck = await newKey(DNS_RULES);
      const file = join(tmp, 'ovh.conf');
      await writeFile(
        file,
        `[default]\nendpoint=${endpointOf(emulator)}\n[${endpointOf(emulator)}]\napplication_key=${EMULATOR_APP.applicationKey}\napplication_secret=${EMULATOR_APP.applicationSecret}\nconsumer_key=${ck}\n`,
      );
      const out = await cli(['keys:import', '--account', accountId, '--conf', file, '--label', 'from file']);
      expect(out).toMatchObject({ code: 0 });
      expect(out.text).toContain(`credential ${credentialOf(ck)!.credentialId}`);
      expect(out.text).not.toContain(ck);
      const again = await cli(['keys:import', '--account', accountId, '--conf', file]);
      expect(again.code).toBe(1);
      expect(again.text).toMatch(/^CONSUMER_KEY_ALREADY_MANAGED: .*existing key [0-9a-f-]{36}/);
    });

    it('imports from the OVH_* environment variables with the CLI (keys:import --from-env)', async () => {
      const ck = await newKey(DNS_RULES);
      const env = {
        OVH_ENDPOINT: endpointOf(emulator),
        OVH_APPLICATION_KEY: EMULATOR_APP.applicationKey,
        OVH_APPLICATION_SECRET: EMULATOR_APP.applicationSecret,
        OVH_CONSUMER_KEY: ck,
      };
      Object.assign(process.env, env);
      try {
        const out = await cli(['keys:import', '--account', accountId, '--from-env']);
        expect(out.code).toBe(0);
        expect(out.text).toContain(`credential ${credentialOf(ck)!.credentialId}`);
      } finally {
        for (const k of Object.keys(env)) delete process.env[k];
      }
      const rows = await db().query(
        "SELECT count(*)::int AS n FROM consumer_keys WHERE credential_id = $1 AND origin = 'imported'",
        [credentialOf(ck)!.credentialId],
      );
      expect(rows[0].n).toBe(1);
    });

    it('takes the consumer key from stdin and refuses a missing variable or an invalid key (CLI)', async () => {
      const ck = await newKey(DNS_RULES);
      const cmd = createKeysImportCommand({
        readStdin: async () => `${ck}\n`,
        env: { OVH_APPLICATION_SECRET: EMULATOR_APP.applicationSecret },
      });
      const lines: string[] = [];
      const args = ['--account', accountId, '--endpoint', endpointOf(emulator)];
      const code = await cmd.run(
        t.app,
        [...args, '--application-key', EMULATOR_APP.applicationKey, '--consumer-key-stdin'],
        (l) => lines.push(l),
      );
      expect({ code, text: lines.join('\n') }).toMatchObject({ code: 0 });
      const missing = await cli(['keys:import', '--account', accountId, '--from-env']);
      expect(missing).toMatchObject({ code: 1, text: 'KEY_IMPORT_CONFIG_INVALID: OVH_ENDPOINT is not set' });
      const { consumerKey: pending } = await requestConsumerKey(emulator, DNS_RULES);
      const refused = createKeysImportCommand({
        readStdin: async () => pending,
        env: { OVH_APPLICATION_SECRET: EMULATOR_APP.applicationSecret },
      });
      const out: string[] = [];
      expect(
        await refused.run(
          t.app,
          [...args, '--application-key', EMULATOR_APP.applicationKey, '--consumer-key-stdin'],
          (l) => out.push(l),
        ),
      ).toBe(1);
      expect(out.join('\n')).toMatch(/^KEY_IMPORT_CREDENTIAL_INVALID: /);
      expect((await cli(['keys:import', '--account', accountId])).code).toBe(2);
    });
  });

  describe('discovery of the account credentials', () => {
    it("lists the application's other credentials on the account, marking those the broker manages", async () => {
      const unmanaged = await newKey([{ method: 'GET', path: '/*' }], { validitySeconds: null });
      const otherApp = await newKey(DNS_RULES, { appKey: EMULATOR_OTHER_APP.applicationKey });
      const res = await http()
        .get(`/api/v1/accounts/${accountId}/consumer-keys/${firstKeyId}/discovery`)
        .set(bearer(operator.token))
        .expect(200);
      expect(res.body.upstreamApplicationId).toBe(EMULATOR_APP.applicationId);
      const byId = new Map<number, Record<string, unknown>>(
        res.body.credentials.map((c: { credentialId: number }) => [c.credentialId, c]),
      );
      expect(byId.get(credentialOf(unmanaged)!.credentialId)).toMatchObject({
        status: 'validated',
        rules: [{ method: 'GET', path: '/*' }],
        expiration: null,
        managedKeyId: null,
        current: false,
      });
      const current = res.body.credentials.find((c: { current: boolean }) => c.current);
      expect(current).toMatchObject({ managedKeyId: firstKeyId, managedState: 'validated' });
      expect(byId.has(credentialOf(otherApp)!.credentialId)).toBe(false);
      expect(JSON.stringify(res.body)).not.toContain(unmanaged);
    });

    it('explains when the key may not list credentials, and hides other accounts (404)', async () => {
      const keys = await http()
        .get(`/api/v1/accounts/${accountId}/consumer-keys`)
        .set(bearer(admin.token))
        .expect(200);
      const narrow = keys.body.find(
        (k: { state: string; upstreamRules: AccessRule[] | null }) =>
          k.state === 'validated' && k.upstreamRules?.[0]?.path === DNS_RULES[0].path,
      );
      const res = await http()
        .get(`/api/v1/accounts/${accountId}/consumer-keys/${narrow.id}/discovery`)
        .set(bearer(admin.token))
        .expect(422);
      expect(res.body.code).toBe('KEY_DISCOVERY_NOT_GRANTED');
      await http()
        .get(`/api/v1/accounts/${accountId}/consumer-keys/${firstKeyId}/discovery`)
        .set(bearer(stranger.token))
        .expect(404);
    });
  });

  it('never writes an application secret or consumer key into the audit trail', async () => {
    const rows: unknown[] = await db().query(
      "SELECT action, result, metadata FROM audit_events WHERE action LIKE 'consumer_key.import%' OR action LIKE 'application.%'",
    );
    expect(rows.length).toBeGreaterThan(5);
    const text = JSON.stringify(await db().query('SELECT * FROM audit_events'));
    for (const s of secrets) expect(text).not.toContain(s);
    const actions = (rows as Array<{ action: string; result: string }>).map((r) => `${r.action}:${r.result}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'consumer_key.imported:success',
        'consumer_key.import_refused:failure',
        'application.registered:success',
      ]),
    );
  });
});
