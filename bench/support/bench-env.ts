import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, relative } from 'node:path';
import { DataSource } from 'typeorm';
import { buildTypeOrmOptions } from '@app/database';
import { adminQuery, withDatabase } from '../../test/setup/test-engine';

export const ROOT = join(__dirname, '..', '..');

// A database of the bench's own on the server at adminUrl, with every migration applied.
export async function createBenchDatabase(
  adminUrl: string,
  prefix: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const url = withDatabase(adminUrl, name);
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const ds = new DataSource(buildTypeOrmOptions({ url, poolSize: 2 }));
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  await ds.destroy();
  return { url, drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

// The measured processes run compiled, as in production: under ts-node, Node loads its `repl`
// and with it `domain`, which puts every EventEmitter on a slower path (about a tenth of the
// relay's CPU in a profile). Builds them (and the apps and libs they import) into dist/ once.
let built = false;
export function buildBenchProcesses(): void {
  if (built) return;
  const tsc = (bin: string) =>
    execFileSync(process.execPath, [join(ROOT, 'node_modules', bin), '-p', 'tsconfig.bench.json'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
  tsc('typescript/bin/tsc');
  tsc('tsc-alias/dist/bin/index.js');
  built = true;
}

// Runs a bench process (bench/**/*.ts, listed in tsconfig.bench.json) from its build and resolves
// once it prints `READY <port>`. `prefix` goes before node (e.g. taskset), `nodeArgs` before the
// script (e.g. --cpu-prof).
export function startReadyProcess(
  script: string,
  env: Record<string, string>,
  options: { prefix?: string[]; nodeArgs?: string[] } = {},
): Promise<{ child: ChildProcess; port: number }> {
  buildBenchProcesses();
  const compiled = join(ROOT, 'dist', relative(ROOT, script).replace(/\.ts$/, '.js'));
  const argv = [...(options.nodeArgs ?? []), compiled];
  const [command, ...args] = [...(options.prefix ?? []), process.execPath, ...argv];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}
