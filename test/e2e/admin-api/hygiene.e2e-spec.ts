import request from 'supertest';
import { DataSource } from 'typeorm';
import type { AccessRule } from '@app/ovh-protocol';
import { bearer, createOperator, type TestOperator } from '../../utils/auth';
import { createTestApp, type TestApp } from '../../utils/create-app';
import {
  EMULATOR_ACCOUNT,
  EMULATOR_APP,
  endpointOf,
  issueValidatedConsumerKey,
  type RunningEmulator,
  startTestEmulator,
} from '../../utils/start-emulator';

const DAY = 86_400;
const DNS: AccessRule[] = [{ method: 'GET', path: '/domain/zone/example.com/*' }];
const EVERYTHING: AccessRule[] = [
  { method: 'GET', path: '/*' },
  { method: 'POST', path: '/*' },
];

interface FindingBody {
  kind: string;
  severity: string;
  keyId: string | null;
  accountId: string | null;
  accountName: string | null;
  suggestedAction: string;
  fix: { method: string; path: string; body?: Record<string, unknown> } | null;
}

// The credential hygiene report on seeded keys (imported from the emulator, with
// last-use dates adjusted in the database), its visibility rules, the CSV export, and
// the one-click fix: a narrower successor that revokes the key once validated.
describe('credential hygiene report (admin API + OVH emulator)', () => {
  let t: TestApp;
  let emulator: RunningEmulator;
  let admin: TestOperator;
  let operator: TestOperator;
  let auditor: TestOperator;
  let accountA: string;
  let accountB: string;
  const ids: Record<string, string> = {};
  const secrets: string[] = [EMULATOR_APP.applicationSecret];
  const http = () => request(t.app.getHttpServer());
  const db = () => t.app.get(DataSource);
  const kindsOf = (findings: FindingBody[], keyId: string) =>
    findings
      .filter((f) => f.keyId === keyId)
      .map((f) => f.kind)
      .sort();

  async function seed(
    name: string,
    accountId: string,
    rules: AccessRule[],
    validitySeconds: number | null,
    allowedIPs: string[] | null,
  ) {
    const ck = await issueValidatedConsumerKey(emulator, rules, { validitySeconds, allowedIPs });
    secrets.push(ck);
    const res = await http()
      .post(`/api/v1/accounts/${accountId}/consumer-keys/import`)
      .set(bearer(admin.token))
      .send({
        endpoint: endpointOf(emulator),
        applicationKey: EMULATOR_APP.applicationKey,
        applicationSecret: EMULATOR_APP.applicationSecret,
        consumerKey: ck,
        label: name,
      })
      .expect(201);
    ids[name] = res.body.id;
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
    auditor = await createOperator(t.app, { role: 'auditor' });
    const account = async (displayName: string) =>
      (await http().post('/api/v1/accounts').set(bearer(admin.token)).send({ displayName }).expect(201)).body
        .id as string;
    accountA = await account('Acme');
    accountB = await account('Beta');
    await http()
      .put(`/api/v1/accounts/${accountA}/operators`)
      .set(bearer(admin.token))
      .send({ operatorIds: [operator.operatorId] })
      .expect(200);
    const pinned = ['127.0.0.1/32'];
    await seed('everything', accountA, EVERYTHING, null, null);
    await seed('soon', accountA, DNS, 2 * DAY, pinned);
    await seed('unused', accountA, DNS, 90 * DAY, pinned);
    await seed('never', accountA, DNS, 90 * DAY, pinned);
    await seed('clean', accountA, DNS, 90 * DAY, pinned);
    await seed('beta', accountB, EVERYTHING, null, null);
    // Checking a key upstream counts as a use, so the idle ones are seeded in the table.
    await db().query("UPDATE consumer_keys SET last_use_at = now() - interval '60 days' WHERE id = $1", [
      ids.unused,
    ]);
    await db().query('UPDATE consumer_keys SET last_use_at = NULL WHERE id = $1', [ids.never]);
  });

  afterAll(async () => {
    await t?.close();
    await emulator?.close();
  });

  it('flags each kind of finding on the seeded keys, with a suggested action and a fix', async () => {
    const res = await http().get('/api/v1/hygiene?manyKeysThreshold=3').set(bearer(admin.token)).expect(200);
    const findings: FindingBody[] = res.body.findings;
    expect(res.body).toMatchObject({ scope: 'all', accounts: 2, keys: 6 });
    expect(kindsOf(findings, ids.everything)).toEqual([
      'grants_everything',
      'no_expiry',
      'no_ip_restriction',
    ]);
    expect(kindsOf(findings, ids.soon)).toEqual(['expiring_soon']);
    expect(kindsOf(findings, ids.unused)).toEqual(['unused']);
    expect(kindsOf(findings, ids.never)).toEqual(['never_used']);
    expect(kindsOf(findings, ids.clean)).toEqual([]);
    expect(findings.find((f) => f.kind === 'application_many_keys')).toMatchObject({
      severity: 'low',
      suggestedAction: 'consolidate',
    });
    const everything = findings.find((f) => f.keyId === ids.everything && f.kind === 'grants_everything')!;
    expect(everything).toMatchObject({
      severity: 'high',
      accountName: 'Acme',
      suggestedAction: 'replace_with_narrower_key',
      fix: { method: 'POST', path: `/api/v1/accounts/${accountA}/consumer-keys/${ids.everything}/replace` },
    });
    expect(findings.find((f) => f.keyId === ids.unused)).toMatchObject({
      suggestedAction: 'revoke',
      fix: { path: `/api/v1/accounts/${accountA}/consumer-keys/${ids.unused}/revoke` },
    });
    expect(findings.find((f) => f.keyId === ids.soon)!.fix!.path).toMatch(/\/renew$/);
    // High severity first.
    expect(findings[0].severity).toBe('high');
    expect(res.body.summary.total).toBe(findings.length);
    expect(JSON.stringify(res.body)).not.toMatch(new RegExp(secrets.join('|')));
  });

  it('takes its thresholds from the query, and refuses invalid ones', async () => {
    const res = await http()
      .get(`/api/v1/accounts/${accountA}/hygiene?unusedDays=90&expiringSoonDays=1`)
      .set(bearer(admin.token))
      .expect(200);
    expect(res.body).toMatchObject({ scope: 'account', accountId: accountA, keys: 5 });
    const kinds = (res.body.findings as FindingBody[]).map((f) => f.kind);
    expect(kinds).not.toContain('unused');
    expect(kinds).not.toContain('expiring_soon');
    expect(kinds).not.toContain('application_many_keys');
    for (const q of ['unusedDays=0', 'expiringSoonDays=x', 'format=xml', 'manyKeysThreshold=1', 'other=1']) {
      const bad = await http().get(`/api/v1/hygiene?${q}`).set(bearer(admin.token)).expect(400);
      expect(bad.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('shows an operator only their assigned accounts; others answer 404', async () => {
    const res = await http().get('/api/v1/hygiene').set(bearer(operator.token)).expect(200);
    expect(res.body.accounts).toBe(1);
    const accounts = new Set((res.body.findings as FindingBody[]).map((f) => f.accountId).filter(Boolean));
    expect([...accounts]).toEqual([accountA]);
    const hidden = await http()
      .get(`/api/v1/accounts/${accountB}/hygiene`)
      .set(bearer(operator.token))
      .expect(404);
    expect(hidden.body.code).toBe('ACCOUNT_NOT_FOUND');
    await http()
      .get(`/api/v1/accounts/${accountB}/hygiene/export.csv`)
      .set(bearer(operator.token))
      .expect(404);
    const all = await http().get('/api/v1/hygiene').set(bearer(auditor.token)).expect(200);
    expect(all.body.accounts).toBe(2);
  });

  it('exports CSV (export.csv and ?format=csv), and records the export', async () => {
    const json = await http().get('/api/v1/hygiene').set(bearer(admin.token)).expect(200);
    const csv = await http().get('/api/v1/hygiene/export.csv').set(bearer(auditor.token)).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toContain('credential-hygiene.csv');
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'severity,kind,accountId,accountName,keyId,keyLabel,origin,applicationId,message,suggestedAction,fix',
    );
    expect(lines).toHaveLength(json.body.findings.length + 1);
    expect(csv.text).toContain(`POST /api/v1/accounts/${accountA}/consumer-keys/${ids.everything}/replace`);
    const one = await http()
      .get(`/api/v1/accounts/${accountB}/hygiene?format=csv`)
      .set(bearer(admin.token))
      .expect(200);
    expect(one.headers['content-type']).toMatch(/^text\/csv/);
    expect(one.text).toContain(ids.beta);
    expect(one.text).not.toContain(ids.everything);
    const rows = await db().query("SELECT actor_id FROM audit_events WHERE action = 'hygiene.exported'");
    expect(rows.length).toBe(2);
  });

  it('fixes a finding in one call: a narrower successor that revokes the key once validated', async () => {
    const report = await http().get(`/api/v1/accounts/${accountA}/hygiene`).set(bearer(operator.token));
    const finding = (report.body.findings as FindingBody[]).find(
      (f) => f.keyId === ids.everything && f.kind === 'grants_everything',
    )!;
    const wider = await http()
      .post(finding.fix!.path)
      .set(bearer(operator.token))
      .send({ accessRules: [{ method: 'DELETE', path: '/domain/*' }] })
      .expect(422);
    expect(wider.body.code).toBe('CONSUMER_KEY_REPLACEMENT_NOT_NARROWER');
    await http()
      .post(finding.fix!.path)
      .set(bearer(auditor.token))
      .send({ accessRules: [{ method: 'GET', path: '/domain/*' }] })
      .expect(403);
    const res = await http()
      .post(finding.fix!.path)
      .set(bearer(operator.token))
      .send({
        accessRules: [{ method: 'GET', path: '/domain/*' }],
        validitySeconds: 90 * DAY,
        allowedIPs: ['127.0.0.1'],
      })
      .expect(201);
    expect(res.body).toMatchObject({
      state: 'pendingValidation',
      renewalOf: ids.everything,
      accessRules: [{ method: 'GET', path: '/domain/*' }],
      allowedIPs: ['127.0.0.1/32'],
      validitySeconds: 90 * DAY,
    });
    const again = await http()
      .post(finding.fix!.path)
      .set(bearer(operator.token))
      .send({ accessRules: [{ method: 'GET', path: '/me' }] })
      .expect(409);
    expect(again.body.code).toBe('CONSUMER_KEY_RENEWAL_IN_PROGRESS');

    // The customer validates the successor; the broker notices and revokes the old key.
    const credential = [...emulator.state.credentials.values()].find((c) =>
      c.redirection?.includes(res.body.id),
    )!;
    expect(credential.allowedIPs).toEqual(['127.0.0.1/32']);
    emulator.state.validateCredential(credential.consumerKey, EMULATOR_ACCOUNT.nichandle, 90 * DAY);
    const synced = await http()
      .post(`/api/v1/accounts/${accountA}/consumer-keys/${res.body.id}/sync`)
      .set(bearer(operator.token))
      .expect(200);
    expect(synced.body.state).toBe('validated');
    const old = await http()
      .get(`/api/v1/accounts/${accountA}/consumer-keys/${ids.everything}`)
      .set(bearer(operator.token))
      .expect(200);
    expect(old.body).toMatchObject({ state: 'revoked', renewedBy: res.body.id });

    const after = await http()
      .get(`/api/v1/accounts/${accountA}/hygiene`)
      .set(bearer(operator.token))
      .expect(200);
    const findings: FindingBody[] = after.body.findings;
    expect(findings.some((f) => f.keyId === ids.everything)).toBe(false);
    expect(findings.some((f) => f.kind === 'grants_everything')).toBe(false);
  });
});
