import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import {
  EMULATOR_APP,
  type RunningEmulator,
  startTestEmulator,
  validateConsumerKey,
} from '../../utils/start-emulator';
import { createTestDatabase, type TestDatabase } from '../../utils/test-database';
import { type BrokerProcess, startBrokerProcess } from './support/broker-process';

// SECURITY-CHECKLIST F5 (second half), docs/consumer-keys.md "Idempotency and crash
// safety": the broker is SIGKILLed while its POST /auth/credential is in flight (the
// emulator holds it), then restarted on the same database. The row written before the
// call is resumed once by a retry with the same Idempotency-Key, and only one consumer
// key is ever stored.
const STALE_SECONDS = 5;
const IDEMPOTENCY_KEY = 'crash-drill-1';
const CREDENTIAL_CALL = /^\/1\.0\/auth\/credential$/;

describe('F5: a crash in the middle of a consumer-key request', () => {
  let db: TestDatabase;
  let pg: Client;
  let emulator: RunningEmulator;
  let broker: BrokerProcess | undefined;
  const masterKey = randomBytes(32).toString('base64');
  let token = '';
  let accountId = '';
  let body: Record<string, unknown> = {};

  const start = () =>
    startBrokerProcess({
      DATABASE_URL: db.url,
      // the same key across restarts: the vault must open what the first process sealed
      MASTER_KEY: masterKey,
      CK_REQUEST_STALE_SECONDS: String(STALE_SECONDS),
      SHUTDOWN_DRAIN_MS: '0',
    });
  const api = async (
    method: string,
    path: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${broker!.adminUrl}/api/v1${path}`, {
      method,
      headers: {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  };
  const requestKey = (payload: Record<string, unknown>) =>
    api('POST', `/accounts/${accountId}/consumer-keys`, payload, { 'Idempotency-Key': IDEMPOTENCY_KEY });
  const credentialCalls = () =>
    emulator.control.requests().filter((r) => r.method === 'POST' && CREDENTIAL_CALL.test(r.target));
  const rows = async () =>
    (
      await pg.query<{
        id: string;
        state: string;
        last_error: string | null;
        sealed: boolean;
        stale: boolean;
      }>(
        `SELECT id, state, last_error, consumer_key_sealed IS NOT NULL AS sealed,
                requested_at < now() - make_interval(secs => $1) AS stale
           FROM consumer_keys ORDER BY created_at`,
        [STALE_SECONDS],
      )
    ).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    emulator = await startTestEmulator();
    broker = await start();

    const setupToken = await waitFor(() => broker!.output().match(/obs_[A-Za-z0-9_-]{43}/)?.[0], 10_000);
    const admin = {
      email: 'crash-admin@test.example',
      displayName: 'Crash',
      password: 'a-long-admin-password',
    };
    expect((await api('POST', '/setup', { ...admin, setupToken })).status).toBe(201);
    const login = await api('POST', '/auth/login', { email: admin.email, password: admin.password });
    expect(login.status).toBe(200);
    token = login.body.accessToken;
    const application = await api('POST', '/applications', {
      label: 'Sandbox',
      endpoint: `${emulator.url}/1.0`,
      appKey: EMULATOR_APP.applicationKey,
      appSecret: EMULATOR_APP.applicationSecret,
    });
    expect(application.status).toBe(201);
    const account = await api('POST', '/accounts', { displayName: 'Crash customer' });
    expect(account.status).toBe(201);
    accountId = account.body.id;
    body = {
      applicationId: application.body.id,
      presets: [{ id: 'account-identity' }],
      label: 'crash drill',
    };
  }, 180_000);

  afterAll(async () => {
    if (broker?.alive()) await broker.stop();
    await emulator?.close();
    await pg?.end();
    await db?.drop();
  });

  it('never creates two consumer keys: one row, resumed once, at most one CK stored and usable', async () => {
    // 1. OVHcloud holds the credential request; SIGKILL the broker while it waits.
    const held = emulator.control.addFault({
      method: 'POST',
      pathPattern: '*/auth/credential',
      latencyMs: 60_000,
    });
    const inFlight = requestKey(body).then(
      (r) => ({ answered: r.status }),
      (e: Error) => ({ failed: e.message }),
    );
    await waitFor(() => held.hits === 1 || undefined, 10_000);
    const [written] = await rows();
    // the row was committed before the upstream call (step 1 of the design)
    expect(written).toMatchObject({ state: 'requesting', last_error: null, sealed: false });
    // a retry while that attempt is alive cannot tell it from a live one: 409, no upstream call
    const busy = await requestKey(body);
    expect({ status: busy.status, code: busy.body.code }).toEqual({
      status: 409,
      code: 'CONSUMER_KEY_REQUEST_IN_PROGRESS',
    });
    expect(busy.headers.get('retry-after')).toBe(String(STALE_SECONDS));
    expect(held.hits).toBe(1);

    broker!.child.kill('SIGKILL');
    expect(await broker!.exited).toMatchObject({ signal: 'SIGKILL' });
    expect(await inFlight).toHaveProperty('failed');
    // the emulator saw the call end without an answer (status 0): nothing was issued
    await waitFor(() => credentialCalls().length === 1 || undefined, 5_000);
    expect(credentialCalls()[0].status).toBe(0);
    expect(emulator.state.credentials.size).toBe(0);
    emulator.control.clearFaults();
    expect(await rows()).toEqual([
      expect.objectContaining({ id: written.id, state: 'requesting', sealed: false }),
    ]);

    // 2. Restart on the same database; retry once the row is older than CK_REQUEST_STALE_SECONDS
    //    (the process that wrote it died mid-call): the retry claims the row and calls again.
    broker = await start();
    await waitFor(async () => (await rows())[0].stale || undefined, 10_000);
    const resumed = await requestKey(body);
    expect(resumed.status).toBe(201);
    expect(resumed.headers.get('idempotent-replayed')).toBe('true');
    expect(resumed.body).toMatchObject({ id: written.id, state: 'pendingValidation' });
    expect(credentialCalls().map((c) => c.status)).toEqual([0, 200]);
    const issued = [...emulator.state.credentials.values()];
    expect(issued).toHaveLength(1);
    expect(issued[0].redirection).toContain(`/api/v1/callbacks/consumer-keys/${written.id}?state=`);
    expect(resumed.body.validationUrl).toContain(issued[0].credentialToken);
    expect(JSON.stringify(resumed.body)).not.toContain(issued[0].consumerKey);

    // 3. The same key and body again: the same key, no upstream call. A different body: 422.
    const replayed = await requestKey(body);
    expect(replayed.status).toBe(201);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.body).toMatchObject({ id: written.id, state: 'pendingValidation' });
    const reused = await requestKey({ ...body, label: 'another body' });
    expect({ status: reused.status, code: reused.body.code }).toEqual({
      status: 422,
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    expect(credentialCalls()).toHaveLength(2);
    expect(await rows()).toEqual([
      expect.objectContaining({ id: written.id, state: 'pendingValidation', sealed: true }),
    ]);

    // 4. The one stored CK is the one OVHcloud issued: once the customer validates it, it works.
    validateConsumerKey(emulator, issued[0].consumerKey);
    const synced = await api('POST', `/accounts/${accountId}/consumer-keys/${written.id}/sync`);
    expect(synced.status).toBe(200);
    expect(synced.body).toMatchObject({ id: written.id, state: 'validated' });
    expect(credentialCalls()).toHaveLength(2);
    const listed = await api('GET', `/accounts/${accountId}/consumer-keys`);
    expect(listed.body).toHaveLength(1);
  }, 180_000);
});

async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
