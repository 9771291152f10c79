import type { Page } from 'playwright-core';
import { SetupService } from '@app/operators';
import { totpCode } from '../utils/auth';
import {
  EMULATOR_ACCOUNT,
  EMULATOR_APP,
  endpointOf,
  issueValidatedConsumerKey,
} from '../utils/start-emulator';
import {
  type BrowserStack,
  buildDashboard,
  chromiumPath,
  launchBrowser,
  screenshot,
  startStack,
  type TestBrowser,
} from './support/stack';

// The whole operator story in a real browser (Debian's Chromium through playwright-core),
// against the admin API, the relay and the OVH emulator running in this process.
const executablePath = chromiumPath();
const describeIfBrowser = executablePath ? describe : describe.skip;
if (!executablePath)
  console.warn('browser tests skipped: no Chromium (set CHROMIUM_PATH or apt-get install chromium)');

jest.setTimeout(180_000);

const ADMIN = { name: 'Ada Admin', email: 'ada@agency.example', password: 'correct horse battery staple' };
const NEW_PASSWORD = 'a brand new passphrase for ada';

describeIfBrowser('dashboard walk-through in Chromium', () => {
  let stack: BrowserStack;
  let browser: TestBrowser;
  let page: Page;
  let totpSecret = '';
  let enrolledAt = 0;
  let accountId = '';
  let grantToken = '';

  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });
  beforeAll(async () => {
    buildDashboard();
    stack = await startStack();
    browser = await launchBrowser(executablePath as string);
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('creates the first administrator with the setup token from the log', async () => {
    await page.goto(`${stack.adminUrl}/`);
    await heading('Sign in').waitFor();
    expect(page.url()).toMatch(/\/login$/);
    await page.getByRole('link', { name: 'Create the first administrator' }).click();
    await heading('First-time setup').waitFor();

    // The token the log printed at start; asking again replaces it, as a restart would.
    const setupToken = await stack.admin.app.get(SetupService).issueTokenIfNeeded();
    await page.getByLabel('Setup token').fill(setupToken as string);
    await page.getByLabel('Your name').fill(ADMIN.name);
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByLabel('Confirm password').fill(ADMIN.password);
    await screenshot(page, 'setup');
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await heading('Administrator created').waitFor();
    await page.getByRole('button', { name: 'Go to sign in' }).click();
    await heading('Sign in').waitFor();
  });

  it('signs in, enrols TOTP with the QR code and shows the recovery codes once', async () => {
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Invalid email or password' }).waitFor();

    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Delegated accounts').waitFor();

    await page.getByRole('link', { name: /Ada Admin/ }).click();
    await heading('My account').waitFor();
    await page.getByRole('button', { name: 'Set up' }).click();
    const dialog = page.getByRole('dialog', { name: 'Set up two-factor authentication' });
    await dialog.getByRole('img', { name: /QR code/ }).waitFor();
    totpSecret =
      (await dialog.locator('[data-copy-value="Or enter this key by hand"]').textContent())?.trim() ?? '';
    expect(totpSecret).toMatch(/^[A-Z2-7]{16,}$/);
    await screenshot(page, 'two-factor-enrolment');
    enrolledAt = Date.now();
    await dialog.getByLabel('Authentication code').fill(await totpCode(totpSecret, new Date(enrolledAt)));
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    const codes = dialog.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    await codes.first().waitFor();
    expect(await codes.count()).toBe(10);
    const done = dialog.getByRole('button', { name: 'Continue' });
    expect(await done.isDisabled()).toBe(true);
    await dialog.getByLabel('I have saved my recovery codes somewhere safe').check();
    await done.click();
    await page.getByRole('status').filter({ hasText: 'Two-factor authentication is on' }).first().waitFor();
  });

  it('signs out and back in with email, password and a TOTP code', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in').waitFor();
    await page.getByText('You are signed out.').waitFor();
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Two-factor authentication').waitFor();
    // The enrolment spent its step's code: use the next step (±1 step is accepted).
    const step = (t: number) => Math.floor(t / 30_000);
    const at = step(Date.now()) === step(enrolledAt) ? Date.now() + 30_000 : Date.now();
    await page.getByLabel('Authentication code').fill(await totpCode(totpSecret, new Date(at)));
    await screenshot(page, 'login-second-factor');
    await page.getByRole('button', { name: 'Verify' }).click();
    await heading('Delegated accounts').waitFor();
  });

  it('keeps the session across a reload and sends anonymous visitors to login', async () => {
    await page.reload();
    await heading('Delegated accounts').waitFor();
    const fresh = await browser.context.newPage();
    // sessionStorage is per tab: a new tab has no session.
    await fresh.goto(`${stack.adminUrl}/audit`);
    await fresh.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(fresh.url()).toContain('/login?next=%2Faudit');
    await fresh.close();
  });

  it('registers the emulator sandbox application', async () => {
    await nav('Application keys').click();
    await heading('Application keys').waitFor();
    await page.getByRole('button', { name: 'Register an application' }).click();
    const dialog = page.getByRole('dialog', { name: 'Register an application' });
    await dialog.getByLabel('Label', { exact: true }).fill('Emulator sandbox');
    await dialog.getByLabel('Endpoint').selectOption('custom');
    await dialog.getByLabel('Base URL').fill(`${stack.emulator.url}/1.0`);
    await dialog.getByLabel('Application key', { exact: true }).fill(EMULATOR_APP.applicationKey);
    await dialog.getByLabel('Application secret', { exact: true }).fill(EMULATOR_APP.applicationSecret);
    await dialog.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('cell', { name: EMULATOR_APP.applicationKey }).waitFor();
    expect(await page.content()).not.toContain(EMULATOR_APP.applicationSecret);
    await screenshot(page, 'applications');
  });

  it('creates a delegated account and requests a consumer key from a preset plus a custom rule', async () => {
    await nav('Accounts').click();
    await page.getByRole('button', { name: 'New account' }).click();
    const dialog = page.getByRole('dialog', { name: 'New delegated account' });
    await dialog.getByLabel('Name', { exact: true }).fill('Martin & Co');
    await dialog.getByLabel('Contact name').fill('Alice Martin');
    await dialog.getByLabel('Contact email').fill(EMULATOR_ACCOUNT.email ?? 'alice@example.com');
    await dialog.getByLabel('Tags').fill('dns, retainer');
    await dialog.getByRole('button', { name: 'Create account' }).click();
    await heading('Martin & Co').waitFor();
    accountId = page.url().split('/accounts/')[1];

    await page.getByRole('button', { name: 'Request a consumer key' }).click();
    await heading('Request a consumer key').waitFor();
    await page.getByLabel('Label').fill('DNS automation');
    await page.getByLabel('Preset').selectOption('dns-zone-manager');
    await page.getByLabel('zone').fill('example.com');
    await page.getByRole('button', { name: 'Add its rules' }).click();
    await page.getByRole('button', { name: 'Add a rule' }).click();
    const rows = page.locator('.rule-row');
    const last = (await rows.count()) - 1;
    await page.getByLabel(`Path of rule ${last + 1}`).fill('/me');
    await screenshot(page, 'consumer-key-request');
    await page.getByRole('button', { name: 'Request the key' }).click();
    await heading('DNS automation').waitFor();
    await page.getByText('pending validation').first().waitFor();
    await page.getByRole('img', { name: 'QR code of the validation link' }).waitFor();
    await screenshot(page, 'consumer-key-pending');
  });

  it('follows the validation link to the emulator consent page and sees the key turn validated', async () => {
    const url = (await page.locator('[data-copy-value="Validation URL"]').textContent())?.trim() ?? '';
    expect(url).toContain(stack.emulator.url);
    const consent = await browser.context.newPage();
    await consent.goto(url);
    await consent.getByLabel('Account ID (nichandle)').fill(EMULATOR_ACCOUNT.nichandle);
    await consent.getByLabel('Password').fill(EMULATOR_ACCOUNT.password);
    await consent.getByLabel('30 days').check();
    await consent.getByRole('button', { name: 'Authorize' }).click();
    // The emulator sends the customer back to the broker's callback.
    await consent.getByRole('heading', { name: 'Thank you' }).waitFor();
    await consent.close();

    await page
      .locator('.badge', { hasText: /^validated$/ })
      .first()
      .waitFor({ timeout: 20_000 });
    await page.getByText(EMULATOR_ACCOUNT.nichandle).first().waitFor();
    await screenshot(page, 'consumer-key-validated');

    await nav('Accounts').click();
    await page.getByText('1 validated').waitFor();
    await page.getByLabel('Search').fill('martin');
    await page.getByRole('link', { name: 'Martin & Co' }).waitFor();
    await screenshot(page, 'accounts');
  });

  it('issues a grant and shows its secrets once with ready-to-paste snippets', async () => {
    await page.goto(`${stack.adminUrl}/accounts/${accountId}`);
    await page.getByRole('button', { name: 'Issue a grant' }).click();
    await heading('Issue a grant').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Bob Contractor');
    await page.getByLabel('Email', { exact: true }).fill('bob@contractor.example');
    await page.getByLabel('Lifetime').selectOption('86400');
    await page.getByRole('button', { name: 'Issue the grant' }).click();
    await heading('Grant issued').waitFor();
    grantToken = (await page.locator('[data-copy-value="Bearer token"]').textContent())?.trim() ?? '';
    expect(grantToken).toMatch(/^obg_/);
    await page.getByRole('tab', { name: 'python-ovh' }).click();
    await page.getByText('ovh.client.ENDPOINTS["broker"]').waitFor();
    await screenshot(page, 'grant-secrets');

    const res = await fetch(`${stack.relayUrl}/1.0/me`, {
      headers: { Authorization: `Bearer ${grantToken}` },
    });
    expect(res.status).toBe(200);
    await page.getByRole('button', { name: /I have copied them/ }).click();
    await heading('Grant for Bob Contractor').waitFor();
  });

  it('executes a call in the API console through the relay', async () => {
    await nav('API console').click();
    await heading('API console').waitFor();
    await page.getByLabel('Account', { exact: true }).selectOption(accountId);
    await page.getByRole('button', { name: /GET\s*\/domain\/zone\/\{zoneName\}\/record$/ }).click();
    await page.getByLabel(/^zoneName/).fill('example.com');
    await page.getByLabel(/^fieldType/).fill('A');
    await page.getByRole('button', { name: 'Execute' }).click();
    const body = page.getByTestId('console-response');
    await body.waitFor();
    expect(await page.locator('.http-status').textContent()).toMatch(/^200/);
    expect(await body.textContent()).toContain('5000001');
    await page.getByRole('tab', { name: 'Python' }).click();
    await screenshot(page, 'console');
  });

  it('revokes the grant, after which the relay refuses its token', async () => {
    await page.goto(`${stack.adminUrl}/accounts/${accountId}`);
    await page.getByRole('link', { name: 'Bob Contractor' }).waitFor();
    await screenshot(page, 'account');
    await page.getByRole('link', { name: 'Bob Contractor' }).click();
    await heading('Grant for Bob Contractor').waitFor();
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page
      .getByRole('dialog', { name: 'Revoke this grant?' })
      .getByRole('button', { name: 'Revoke grant' })
      .click();
    await page
      .locator('.badge', { hasText: /^revoked$/ })
      .first()
      .waitFor();
    const res = await fetch(`${stack.relayUrl}/1.0/me`, {
      headers: { Authorization: `Bearer ${grantToken}` },
    });
    expect([401, 403]).toContain(res.status);
  });

  it('reads the audit log with filters and exports it', async () => {
    await nav('Audit log').click();
    await heading('Audit log').waitFor();
    await page.getByRole('cell', { name: 'auth.login' }).first().waitFor();
    await page.getByLabel('Action').fill('consumer_key.*');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/action=consumer_key/);
    await page
      .locator('td code', { hasText: /^consumer_key\./ })
      .first()
      .waitFor();
    expect(await page.locator('td code', { hasText: /^auth\./ }).count()).toBe(0);
    await screenshot(page, 'audit');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('audit-events.csv');
  });

  it('adds an operator and assigns them to the account', async () => {
    await nav('Operators').click();
    await heading('Operators').waitFor();
    await page.getByRole('cell', { name: /Ada Admin/ }).waitFor();
    await page.getByRole('button', { name: 'Add an operator' }).click();
    const add = page.getByRole('dialog', { name: 'Add an operator' });
    await add.getByLabel('Name').fill('Olga Operator');
    await add.getByLabel('Email').fill('olga@agency.example');
    await add.getByRole('button', { name: 'Add' }).click();
    const password = page.locator('[data-copy-value="Initial password"]');
    await password.waitFor();
    expect((await password.textContent())?.trim().length).toBeGreaterThanOrEqual(12);
    await page.getByRole('button', { name: 'Done' }).click();

    await page.goto(`${stack.adminUrl}/accounts/${accountId}`);
    await heading('Martin & Co').waitFor();
    await page.getByText('No operator is assigned').waitFor();
    await page.getByRole('button', { name: 'Assign operators' }).click();
    const dialog = page.getByRole('dialog', { name: 'Operators of Martin & Co' });
    await dialog.getByLabel(/Olga Operator/).check();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('list', { name: 'Assigned operators' }).getByText('Olga Operator').waitFor();
    // Saved, not only shown: still there after a reload.
    await page.reload();
    await page.getByRole('list', { name: 'Assigned operators' }).getByText('Olga Operator').waitFor();
  });

  it('imports an existing key: a refused one says why, a valid one joins the account', async () => {
    // A key made outside the broker, as in a script's ovh.conf: everything, forever, from anywhere.
    const consumerKey = await issueValidatedConsumerKey(stack.emulator, [{ method: 'GET', path: '/*' }], {
      validitySeconds: null,
    });
    await page.getByRole('button', { name: 'Import a key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import an existing key' });
    await dialog.getByLabel('Endpoint', { exact: true }).fill(endpointOf(stack.emulator));
    await dialog.getByLabel('Application key', { exact: true }).fill(EMULATOR_APP.applicationKey);
    await dialog.getByLabel('Application secret', { exact: true }).fill(EMULATOR_APP.applicationSecret);
    await dialog.getByLabel('Consumer key', { exact: true }).fill('Z'.repeat(32));
    await dialog.getByRole('button', { name: 'Check and import' }).click();
    const refusal = dialog.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/KEY_IMPORT_CREDENTIAL_(UNKNOWN|INVALID)/);
    await dialog.getByTestId('import-refusal-help').waitFor();

    await dialog.getByLabel('Consumer key', { exact: true }).fill(consumerKey);
    await dialog.getByLabel('Label', { exact: true }).fill('Legacy billing script');
    await screenshot(page, 'key-import');
    await dialog.getByRole('button', { name: 'Check and import' }).click();
    // in the keys table (the hygiene card below names the new key too, once its findings load)
    await page
      .getByRole('table', { name: 'Consumer keys' })
      .getByRole('link', { name: 'Legacy billing script' })
      .waitFor();
    expect(await page.content()).not.toContain(consumerKey);
  });

  it('reports the imported key in the hygiene report and replaces it with a narrower one', async () => {
    // The account's own card, then the report across accounts.
    await page
      .getByRole('cell', { name: /grants everything/ })
      .first()
      .waitFor();
    await nav('Credential hygiene').click();
    await heading('Credential hygiene').waitFor();
    const row = page.getByRole('row').filter({ hasText: 'grants everything' });
    await row.getByRole('link', { name: 'Legacy billing script' }).waitFor();
    await screenshot(page, 'hygiene');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    expect((await download).suggestedFilename()).toBe('credential-hygiene.csv');

    await row.getByRole('button', { name: 'Replace with a narrower key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Replace with a narrower key' });
    expect(await dialog.getByLabel('Path of rule 1').inputValue()).toBe('/me');
    await dialog.getByRole('button', { name: 'Request the replacement' }).click();
    await page.getByText('pending validation').first().waitFor();
    await page.getByRole('img', { name: 'QR code of the validation link' }).waitFor();
  });

  it('sets the grant lifetime and shows the vault on the Security page; webhooks list', async () => {
    await nav('Webhooks').click();
    await heading('Webhooks').waitFor();
    await page.getByText('No webhook.').waitFor();
    await nav('Security').click();
    await heading('Security').waitFor();
    await page.getByLabel('Require two-factor authentication for every operator').waitFor();
    await page.getByLabel('Longest lifetime of a grant').selectOption('604800');
    await page.getByRole('region', { name: 'Grant lifetime' }).getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Grant lifetime saved' }).first().waitFor();
    await page.getByRole('table', { name: 'Master keys and what they protect' }).waitFor();
    await screenshot(page, 'security');
  });

  it('changes its own password', async () => {
    await page
      .getByRole('banner')
      .getByRole('link', { name: /Ada Admin/ })
      .click();
    await heading('My account').waitFor();
    await page.getByLabel('Current password').fill('not my password at all');
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm the new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').filter({ hasText: 'The current password is not right' }).waitFor();
    await page.getByLabel('Current password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').filter({ hasText: 'Password changed' }).first().waitFor();

    const login = (password: string) =>
      fetch(`${stack.adminUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: ADMIN.email, password }),
      });
    expect((await login(ADMIN.password)).status).toBe(401);
    expect((await login(NEW_PASSWORD)).status).toBe(200);
    // This session goes on.
    await nav('Accounts').click();
    await heading('Delegated accounts').waitFor();
  });

  it('raised no script error and no CSP violation on the way', () => {
    const known: RegExp[] = [];
    expect(browser.errors.filter((e) => !known.some((k) => k.test(e)))).toEqual([]);
  });
});
