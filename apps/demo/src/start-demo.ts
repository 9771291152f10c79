import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { AccountsService } from '@app/accounts';
import { ApplicationsService } from '@app/applications';
import type { AuditContext } from '@app/audit';
import { OperatorsService } from '@app/operators';
import { startEmulator } from '../../ovh-emulator/src/create-emulator';
import { DEFAULT_SEED } from '../../ovh-emulator/src/seed/default-seed';

export const DEMO_ADMIN_EMAIL = 'admin@demo.example';
const DEMO_ACCOUNT_TAG = 'demo';
const SYSTEM: AuditContext = { actor: { type: 'system', label: 'demo launcher' } };

interface DemoSecrets {
  adminPassword: string;
  // Only used with DEMO_DATABASE_URL (the embedded mode generates its own key file).
  masterKey?: string;
}

function env(name: string, fallback: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') process.env[name] = fallback;
  return process.env[name] as string;
}

// The demo admin's password is generated on the first run and kept (0600) beside the
// demo database, so every run prints the same one.
function demoSecrets(dataDir: string): DemoSecrets {
  const file = join(dataDir, 'demo-credentials.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DemoSecrets;
  mkdirSync(dataDir, { recursive: true });
  const secrets = {
    adminPassword: `demo-${randomBytes(9).toString('base64url')}`,
    masterKey: randomBytes(32).toString('base64'),
  };
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

export async function seedDemo(
  admin: INestApplication,
  emulatorApiBase: string,
  secrets: DemoSecrets,
): Promise<{ adminCreated: boolean }> {
  const operators = admin.get(OperatorsService);
  const existing = await operators.list();
  let adminCreated = false;
  if (!existing.some((o) => o.email === DEMO_ADMIN_EMAIL)) {
    await operators.create(
      { email: DEMO_ADMIN_EMAIL, displayName: 'Demo Admin', role: 'admin', password: secrets.adminPassword },
      SYSTEM,
    );
    adminCreated = true;
  }

  const sandbox = DEFAULT_SEED.applications[0];
  const applications = admin.get(ApplicationsService);
  const apps = await applications.list();
  // The emulator listens on the same port every run, so one registration serves them all.
  if (!apps.some((a) => a.appKey === sandbox.applicationKey && a.endpointBaseUrl === emulatorApiBase)) {
    await applications.register(
      {
        label: 'Emulator sandbox',
        endpoint: emulatorApiBase,
        appKey: sandbox.applicationKey,
        appSecret: sandbox.applicationSecret,
        description: 'The OVH emulator’s sandbox application (npm run demo)',
      },
      SYSTEM,
    );
  }

  const customer = DEFAULT_SEED.accounts[0];
  const accounts = admin.get(AccountsService);
  const visible = await accounts.list({ operatorId: 'demo-launcher', role: 'admin' });
  if (!visible.some((a) => a.tags?.includes(DEMO_ACCOUNT_TAG))) {
    await accounts.create(
      {
        displayName: `${customer.firstname} ${customer.name} (demo customer)`,
        contactName: `${customer.firstname} ${customer.name}`,
        contactEmail: customer.email,
        notes: `Emulator customer ${customer.nichandle}: sign in with it on the consent page.`,
        tags: [DEMO_ACCOUNT_TAG],
      },
      SYSTEM,
    );
  }
  return { adminCreated };
}

export async function startDemo(): Promise<void> {
  // Its own embedded database and keys, never the operator's real configuration
  // (DEMO_DATABASE_URL points it at a PostgreSQL server instead).
  const dataDir = resolve(env('DATA_DIR', './data/demo'));
  const secrets = demoSecrets(dataDir);
  if (process.env.DEMO_DATABASE_URL) {
    process.env.DATABASE_URL = process.env.DEMO_DATABASE_URL;
    if (
      !process.env.MASTER_KEY &&
      !process.env.MASTER_KEY_FILE &&
      !process.env.MASTER_KEYS &&
      secrets.masterKey
    ) {
      process.env.MASTER_KEY = secrets.masterKey;
    }
  } else delete process.env.DATABASE_URL;
  const host = env('HOST', '127.0.0.1');
  const port = Number(env('PORT', '3000'));
  const relayPort = Number(env('RELAY_PORT', '3001'));
  const emulatorPort = Number(env('EMULATOR_PORT', '3100'));
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const adminUrl = env('PUBLIC_URL', `http://${shown}:${port}`);
  const relayUrl = env('RELAY_PUBLIC_URL', `http://${shown}:${relayPort}`);

  const emulator = await startEmulator({ port: emulatorPort, host, control: true });
  const emulatorApiBase = `${emulator.url}/1.0`;

  const { startApps } = await import('../../broker/src/start-apps');
  const apps = await startApps({ adminApi: true, relay: true });
  await seedDemo(apps[0], emulatorApiBase, secrets);

  const customer = DEFAULT_SEED.accounts[0];
  const lines = [
    '',
    '  OVHcloud credential broker: demo',
    '',
    `  Dashboard        ${adminUrl}/`,
    `  Admin API docs   ${adminUrl}/docs`,
    `  Relay endpoint   ${relayUrl}/1.0`,
    `  OVH emulator     ${emulatorApiBase}   (sandbox application ${DEFAULT_SEED.applications[0].applicationKey}, already registered)`,
    '',
    `  Sign in          ${DEMO_ADMIN_EMAIL} / ${secrets.adminPassword}`,
    `  Customer login   ${customer.nichandle} / ${customer.password}   (on the emulator's consent page)`,
    '',
    '  Try it: open the demo customer under Accounts, request a consumer key, open its',
    '  validation link and authorize with the customer login, issue a grant, then call',
    '  the API from the console or with the printed SDK snippet. Ctrl-C stops everything.',
    `  Data: ${dataDir} (delete it to start over)`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  process.once('exit', () => void emulator.close());
}
