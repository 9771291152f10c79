import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

const root = resolve(__dirname, '../../../..');

export type Entry = 'broker' | 'admin-api' | 'relay';

export interface BrokerProcess {
  child: ChildProcess;
  adminUrl: string;
  relayUrl: string;
  output(): string;
  // resolves with the exit code (null when killed by a signal) and when it exited
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  alive(): boolean;
  stop(): Promise<void>;
}

export const ENTRY_FILES: Record<Entry, string> = {
  broker: 'apps/broker/src/main.ts',
  'admin-api': 'apps/admin-api/src/main.ts',
  relay: 'apps/relay/src/main.ts',
};

// Runs a real entry point in its own process (through ts-node, so no build is
// needed) and waits until it answers /health/live.
export async function startBrokerProcess(
  env: Record<string, string>,
  options: { entry?: Entry; readyTimeoutMs?: number } = {},
): Promise<BrokerProcess> {
  const entry = options.entry ?? 'broker';
  const [port, relayPort] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', ENTRY_FILES[entry]],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        TS_NODE_PROJECT: 'tsconfig.json',
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
        PORT: String(port),
        RELAY_PORT: String(relayPort),
        MASTER_KEY: randomBytes(32).toString('base64'),
        JOBS_ENABLED: 'false',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal, at: Date.now() })),
  );
  const proc: BrokerProcess = {
    child,
    adminUrl: `http://127.0.0.1:${port}`,
    relayUrl: `http://127.0.0.1:${relayPort}`,
    output: () => output,
    exited,
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (!proc.alive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const probes =
    entry === 'broker' ? [proc.adminUrl, proc.relayUrl] : [entry === 'relay' ? proc.relayUrl : proc.adminUrl];
  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  for (;;) {
    if (!proc.alive()) throw new Error(`${entry} exited during start-up:\n${output}`);
    const live = await Promise.all(
      probes.map((p) =>
        fetch(`${p}/health/live`, { signal: AbortSignal.timeout(1000) }).then(
          (r) => r.ok,
          () => false,
        ),
      ),
    );
    if (live.every(Boolean)) return proc;
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`${entry} did not answer /health/live in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}
