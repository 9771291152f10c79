import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { adminQuery, withDatabase } from '../setup/test-engine';

export interface TestDatabase {
  url: string;
  engine: 'postgres' | 'embedded';
  drop(): Promise<void>;
}

// A database of its own for one test file, with every migration applied.
// `empty: true` gives one without migrations (to test the migration runner).
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const engine = process.env.BROKER_TEST_ENGINE;
  if (engine === 'postgres') {
    const adminUrl = process.env.BROKER_TEST_ADMIN_URL as string;
    const name = `${process.env.BROKER_TEST_RUN_ID}_${randomBytes(4).toString('hex')}`;
    const template = options.empty ? 'template0' : (process.env.BROKER_TEST_TEMPLATE as string);
    await adminQuery(adminUrl, `CREATE DATABASE ${name} TEMPLATE ${template}`);
    return {
      url: withDatabase(adminUrl, name),
      engine: 'postgres',
      drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    };
  }
  if (engine !== 'embedded') throw new Error('The jest globalSetup (test/setup/global-setup.ts) did not run');
  // served by test/setup/embedded-engine-server.ts: PGlite cannot load inside jest's VM
  const control = process.env.BROKER_TEST_EMBEDDED_CONTROL;
  if (!control) throw new Error('The embedded engine server was not started by the jest globalSetup');
  const { id, url } = JSON.parse(
    await controlCall(control, 'POST', '/engines', { empty: options.empty === true, owner: process.pid }),
  ) as { id: string; url: string };
  let dropped = false;
  return {
    url,
    engine: 'embedded',
    async drop() {
      if (dropped) return;
      dropped = true;
      await controlCall(control, 'DELETE', `/engines/${id}`);
    },
  };
}

function controlCall(base: string, method: string, path: string, body?: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      new URL(path, base),
      { method, headers: payload ? { 'content-type': 'application/json' } : {}, timeout: 60000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          (res.statusCode ?? 500) < 300
            ? resolve(text)
            : reject(new Error(`embedded engine server: ${method} ${path} -> ${res.statusCode} ${text}`)),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`embedded engine server: ${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}
