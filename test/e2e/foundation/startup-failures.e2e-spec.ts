import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(__dirname, '../../..');

// Runs the real entry point (through ts-node, so no build is needed) and
// returns how it ended.
function startBroker(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/broker/src/main.ts'],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', TS_NODE_PROJECT: 'tsconfig.json', LOG_LEVEL: 'warn', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      done({ code, output });
    });
  });
}

describe('broker start-up refuses bad configuration', () => {
  it('stops with exit code 1 and names the variable when a value is invalid', async () => {
    const { code, output } = await startBroker({
      PORT: 'eighty',
      DATABASE_URL: 'postgres://u@127.0.0.1:1/x',
    });
    expect(code).toBe(1);
    expect(output).toContain('Invalid configuration');
    expect(output).toContain('PORT="eighty"');
  });

  it('stops with a clear message, without echoing the URL, when DATABASE_URL is not a Postgres URL', async () => {
    const { code, output } = await startBroker({ DATABASE_URL: 'mysql://root:canary-secret-77@db/app' });
    expect(code).toBe(1);
    expect(output).toContain('DATABASE_URL=(hidden)');
    expect(output).not.toContain('canary-secret-77');
  });

  it('stops with a clear message when the database cannot be reached', async () => {
    const { code, output } = await startBroker({
      NODE_ENV: 'test',
      DATABASE_URL: 'postgres://postgres:canary-pw-99@127.0.0.1:1/broker',
      PORT: '0',
      RELAY_PORT: '0',
    });
    expect(code).toBe(1);
    expect(output).toMatch(/Cannot connect to the database: ECONNREFUSED/);
    expect(output).not.toContain('canary-pw-99');
  });
});
