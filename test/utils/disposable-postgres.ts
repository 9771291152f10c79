import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { buildTypeOrmOptions } from '../../libs/database/src/typeorm-options';
import { adminQuery, withDatabase } from '../setup/test-engine';

const run = promisify(execFile);

// A throwaway PostgreSQL cluster of its own (Debian's server binaries), for the
// tests that must stop, kill or restart the server: never the machine's shared
// one. initdb and pg_ctl refuse to run as root, so as root they run as the
// `postgres` OS user in a temp dir it owns.
export interface DisposablePostgres {
  readonly port: number;
  // postgres://postgres@127.0.0.1:<port>/postgres (trust auth)
  readonly url: string;
  readonly dataDir: string;
  start(): Promise<void>;
  // mode "fast" disconnects clients and shuts down cleanly; "immediate" is a crash
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  restart(): Promise<void>;
  isRunning(): Promise<boolean>;
  // a new database with every migration applied
  createMigratedDatabase(name: string): Promise<string>;
  log(): string;
  destroy(): Promise<void>;
}

export interface PostgresBinaries {
  version: string;
  bin: string;
}

export function findPostgresBinaries(): PostgresBinaries | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? { version: versions[0], bin: join(root, versions[0], 'bin') } : undefined;
}

// Why the fault tests cannot run here, or undefined when they can.
export function disposablePostgresUnavailable(): string | undefined {
  if (!findPostgresBinaries()) return 'no PostgreSQL server binaries under /usr/lib/postgresql/<version>/bin';
  if (isRoot() && !postgresUser()) return 'running as root and there is no "postgres" OS user to run initdb';
  return undefined;
}

export async function startDisposablePostgres(
  options: { settings?: Record<string, string | number> } = {},
): Promise<DisposablePostgres> {
  const bins = findPostgresBinaries();
  if (!bins) throw new Error(disposablePostgresUnavailable());
  const dir = mkdtempSync(join(tmpdir(), 'broker-pg-'));
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const user = isRoot() ? postgresUser() : undefined;
  if (isRoot() && !user) throw new Error(disposablePostgresUnavailable());
  if (user) chownSync(dir, user.uid, user.gid);
  const port = await freePort();

  const exec = async (tool: string, args: string[]) => {
    const cmd = join(bins.bin, tool);
    const [file, argv] = user ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
    return run(file, argv, { cwd: dir, timeout: 60_000 });
  };

  await exec('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const settings: Record<string, string | number> = {
    port,
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dir,
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: 50,
    shared_buffers: '32MB',
    ...options.settings,
  };
  const serverOptions = Object.entries(settings)
    .map(([k, v]) => `-c ${k}=${v}`)
    .join(' ');
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;

  const pg: DisposablePostgres = {
    port,
    url,
    dataDir,
    async start() {
      await exec('pg_ctl', ['-D', dataDir, '-l', logFile, '-o', serverOptions, '-w', '-t', '30', 'start']);
    },
    async stop(mode = 'fast') {
      await exec('pg_ctl', ['-D', dataDir, '-m', mode, '-w', '-t', '30', 'stop']);
    },
    async restart() {
      await pg.stop();
      await pg.start();
    },
    async isRunning() {
      try {
        await exec('pg_ctl', ['-D', dataDir, 'status']);
        return true;
      } catch {
        return false;
      }
    },
    async createMigratedDatabase(name) {
      await adminQuery(url, `CREATE DATABASE ${name}`);
      const dbUrl = withDatabase(url, name);
      const ds = new DataSource(buildTypeOrmOptions({ url: dbUrl, poolSize: 1 }));
      await ds.initialize();
      try {
        await ds.runMigrations({ transaction: 'each' });
      } finally {
        await ds.destroy();
      }
      return dbUrl;
    },
    log() {
      return existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    },
    async destroy() {
      if (await pg.isRunning()) await pg.stop('immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await pg.start();
  } catch (e) {
    const log = pg.log();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`the disposable PostgreSQL did not start: ${String(e)}\n${log}`);
  }
  return pg;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function postgresUser(): { uid: number; gid: number } | undefined {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('postgres:'));
    if (!line) return undefined;
    const [, , uid, gid] = line.split(':');
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return undefined;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
