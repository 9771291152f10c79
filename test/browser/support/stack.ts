import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../../utils/create-app';
import { type RunningEmulator, startTestEmulator } from '../../utils/start-emulator';
import { createTestDatabase, type TestDatabase } from '../../utils/test-database';

export const ROOT = resolve(__dirname, '..', '..', '..');
export const SCREENSHOT_DIR = process.env.UPDATE_SCREENSHOTS
  ? join(ROOT, 'docs', 'screenshots')
  : join(ROOT, 'test-results', 'screenshots');

// The browser tests serve the real bundle: build it (esbuild, well under a second).
export function buildDashboard(): void {
  execFileSync(process.execPath, [join(ROOT, 'apps', 'dashboard', 'build.mjs')], {
    cwd: ROOT,
    stdio: 'pipe',
    env: { ...process.env, npm_config_loglevel: 'silent' },
  });
}

export function chromiumPath(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(
    (p): p is string => Boolean(p),
  );
  return candidates.find((p) => existsSync(p)) ?? null;
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.unref();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

export interface BrowserStack {
  emulator: RunningEmulator;
  admin: TestApp;
  relay: TestApp;
  db: TestDatabase;
  adminUrl: string;
  relayUrl: string;
  close(): Promise<void>;
}

// Emulator, relay and admin API in this process, on real loopback ports, sharing
// one database, the way `npm start` runs them.
export async function startStack(env: Record<string, string> = {}): Promise<BrowserStack> {
  const emulator = await startTestEmulator();
  const db = await createTestDatabase();
  const [adminPort, relayPort] = [await freePort(), await freePort()];
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const relayUrl = `http://127.0.0.1:${relayPort}`;
  const common = {
    LOG_LEVEL: 'silent',
    PUBLIC_URL: adminUrl,
    RELAY_PUBLIC_URL: relayUrl,
    RELAY_PORT: String(relayPort),
    JOBS_ENABLED: 'false',
    ...env,
  };
  const relay = await createTestApp('relay', common, db);
  await relay.app.listen(relayPort, '127.0.0.1');
  const admin = await createTestApp('admin-api', common, db);
  await admin.app.listen(adminPort, '127.0.0.1');
  return {
    emulator,
    admin,
    relay,
    db,
    adminUrl,
    relayUrl,
    async close() {
      await admin.close().catch(() => undefined);
      await relay.close().catch(() => undefined);
      await emulator.close().catch(() => undefined);
      await db.drop();
    },
  };
}

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  errors: string[];
  close(): Promise<void>;
}

export async function launchBrowser(executablePath: string): Promise<TestBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'broker-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    viewport: { width: 1366, height: 768 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  // Console errors and CSP violations fail the walk-through at its end.
  const errors: string[] = [];
  const watch = (p: Page) => {
    p.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    p.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text()))
        errors.push(`console: ${m.text()}`);
    });
  };
  watch(page);
  context.on('page', watch);
  return {
    context,
    page,
    errors,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.waitForTimeout(150); // let toasts and focus settle
  // Toasts are transient: keep them out of the documentation pictures (through the
  // CSSOM: an injected <style> would be a CSP violation the walk-through counts).
  const hide = (display: string) =>
    page.evaluate(
      `(() => { const el = document.querySelector('.toasts'); if (el) el.style.display = '${display}'; })()`,
    );
  await hide('none');
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), animations: 'disabled' });
  await hide('');
}
