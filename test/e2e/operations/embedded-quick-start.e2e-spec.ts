import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  EMULATOR_ACCOUNT,
  EMULATOR_APP,
  type RunningEmulator,
  startTestEmulator,
} from '../../utils/start-emulator';
import { ENTRY_FILES, freePort } from './support/broker-process';

// The README quick start, end to end: the real broker process with DATABASE_URL
// unset (its own embedded PGlite and generated master key in DATA_DIR), driven
// over HTTP from setup to a revoked grant, then restarted on the same DATA_DIR.
// The embedded engine runs one transaction at a time, so any code path that
// waits on a second connection inside a transaction hangs for ever: every step
// has a short timeout and says which step hung.
const root = resolve(__dirname, '../../..');
const STEP_MS = 15_000;
const RULES = [
  { method: 'GET', path: '/domain' },
  { method: 'GET', path: '/domain/*' },
];

interface Broker {
  child: ChildProcess;
  admin: string;
  relay: string;
  output(): string;
  stop(): Promise<void>;
}

async function startBroker(dataDir: string): Promise<Broker> {
  const [port, relayPort] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', ENTRY_FILES.broker],
    {
      cwd: root,
      // as `npm start` on a fresh machine: no DATABASE_URL, no MASTER_KEY
      env: {
        PATH: process.env.PATH ?? '',
        TS_NODE_PROJECT: 'tsconfig.json',
        NODE_ENV: 'development',
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
        PORT: String(port),
        RELAY_PORT: String(relayPort),
        DATA_DIR: dataDir,
        JOBS_ENABLED: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const broker: Broker = {
    child,
    admin: `http://127.0.0.1:${port}`,
    relay: `http://127.0.0.1:${relayPort}`,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the broker exited during start-up:\n${output}`);
    const ready = await fetch(`${broker.admin}/health/ready`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    const relayLive = await fetch(`${broker.relay}/health/live`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ready && relayLive) return broker;
    if (Date.now() > deadline) {
      await broker.stop();
      throw new Error(`the broker was not ready in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

// One HTTP call with a deadline; a timeout names the step (a deadlock in embedded mode).
async function call(
  step: string,
  url: string,
  init: { method?: string; token?: string; body?: unknown } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(STEP_MS),
    });
  } catch (e) {
    const why =
      e instanceof Error && e.name === 'TimeoutError' ? `no answer within ${STEP_MS} ms` : String(e);
    throw new Error(`step "${step}": ${why} (a transaction waiting on another connection?)`);
  }
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { text };
  }
  return { status: res.status, body };
}

function expectStatus(step: string, reply: Reply, status: number): Reply {
  if (reply.status !== status)
    throw new Error(
      `step "${step}": expected HTTP ${status}, got ${reply.status} ${JSON.stringify(reply.body)}`,
    );
  return reply;
}

describe('quick start: the broker on its embedded database (DATABASE_URL unset)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'broker-quick-start-'));
  const email = 'first.admin@agency.example';
  const password = 'a long enough quick-start password';
  let emulator: RunningEmulator;
  let broker: Broker | undefined;
  let accountId: string;
  let consumerKeyId: string;

  beforeAll(async () => {
    emulator = await startTestEmulator();
  });

  afterAll(async () => {
    await broker?.stop();
    await emulator?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const api = (path: string) => `${broker!.admin}/api/v1${path}`;

  const login = async (): Promise<string> => {
    const r = expectStatus(
      'login',
      await call('login', api('/auth/login'), { body: { email, password } }),
      200,
    );
    expect(r.body.mfaRequired).toBe(false);
    return r.body.accessToken as string;
  };

  it('goes from setup to a relayed call and a revoked grant, each step answering promptly', async () => {
    broker = await startBroker(dataDir);
    expect(broker.output()).toMatch(/DATABASE_URL is not set: starting the embedded PostgreSQL/);
    const setupToken = /setup token:\s+(obs_\S+)/.exec(broker.output())?.[1];
    if (!setupToken) throw new Error(`no setup token in the start-up banner:\n${broker.output()}`);

    expectStatus(
      'setup',
      await call('setup', api('/setup'), {
        body: { setupToken, email, displayName: 'First Admin', password },
      }),
      201,
    );
    const token = await login();

    const application = expectStatus(
      'register the application',
      await call('register the application', api('/applications'), {
        token,
        body: {
          label: 'emulator',
          endpoint: `${emulator.url}/1.0`,
          appKey: EMULATOR_APP.applicationKey,
          appSecret: EMULATOR_APP.applicationSecret,
        },
      }),
      201,
    ).body;

    accountId = expectStatus(
      'create an account',
      await call('create an account', api('/accounts'), { token, body: { displayName: 'Customer' } }),
      201,
    ).body.id as string;

    const before = new Set(emulator.state.credentials.keys());
    const requested = expectStatus(
      'request a consumer key',
      await call('request a consumer key', api(`/accounts/${accountId}/consumer-keys`), {
        token,
        body: { applicationId: application.id, accessRules: RULES },
      }),
      201,
    ).body;
    consumerKeyId = requested.id as string;
    expect(requested.state).toBe('pendingValidation');
    const realConsumerKey = [...emulator.state.credentials.keys()].find((k) => !before.has(k));
    if (!realConsumerKey) throw new Error('the emulator did not issue a consumer key');

    // the customer validates it (emulator control API), then the broker syncs
    expectStatus(
      'validate at the emulator',
      await call(
        'validate at the emulator',
        `${emulator.url}/_emulator/credentials/${realConsumerKey}/validate`,
        {
          body: { nichandle: EMULATOR_ACCOUNT.nichandle, validitySeconds: 86_400 },
        },
      ),
      200,
    );
    const synced = expectStatus(
      'sync the consumer key',
      await call('sync the consumer key', api(`/accounts/${accountId}/consumer-keys/${consumerKeyId}/sync`), {
        token,
        body: {},
      }),
      200,
    ).body;
    expect(synced.state).toBe('validated');

    const created = expectStatus(
      'create a grant',
      await call('create a grant', api(`/accounts/${accountId}/grants`), {
        token,
        body: {
          consumerKeyId,
          holder: { type: 'person', name: 'Alice', email: 'alice@agency.example' },
          accessRules: [{ method: 'GET', path: '/domain/*' }],
          ttlSeconds: 3600,
        },
      }),
      201,
    ).body as { grant: { id: string }; credentials: { bearerToken: string } };
    const bearerToken = created.credentials.bearerToken;

    const relayed = await call('relayed call', `${broker.relay}/1.0/domain/zone`, { token: bearerToken });
    expectStatus('relayed call', relayed, 200);
    // the emulator's answer (the customer's zones), signed by the broker with the real keys
    expect(Array.isArray(relayed.body)).toBe(true);

    expectStatus(
      'revoke the grant',
      await call('revoke the grant', api(`/accounts/${accountId}/grants/${created.grant.id}/revoke`), {
        token,
        body: { reason: 'quick start done' },
      }),
      200,
    );
    // one instance: the in-process invalidation takes effect at once
    const refused = await call('relayed call after revocation', `${broker.relay}/1.0/domain/zone`, {
      token: bearerToken,
    });
    expectStatus('relayed call after revocation', refused, 403);
  }, 240_000);

  it('keeps its data across a restart on the same DATA_DIR', async () => {
    await broker?.stop();
    broker = await startBroker(dataDir);
    expect(broker.output()).not.toMatch(/setup token:/);
    const token = await login();
    const key = expectStatus(
      'read the consumer key after the restart',
      await call(
        'read the consumer key after the restart',
        api(`/accounts/${accountId}/consumer-keys/${consumerKeyId}`),
        {
          token,
        },
      ),
      200,
    ).body;
    expect(key.state).toBe('validated');
  }, 180_000);
});
