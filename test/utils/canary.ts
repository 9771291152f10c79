import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { Client } from 'pg';

// Canary checks: store known secret values through the service, then assert
// that none of them appears in the database dump, the rows, the logs or the
// responses. Each canary is also searched in the encodings a careless change
// would produce (base64, base64url, hex as in a bytea dump).

const run = promisify(execFile);
export const PG_DUMP = process.env.PG_DUMP_PATH ?? '/usr/bin/pg_dump';

export function canaryForms(canary: string): string[] {
  const bytes = Buffer.from(canary, 'utf8');
  return [canary, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')].filter(
    (form, i, all) => all.indexOf(form) === i,
  );
}

export function findCanaries(haystack: string | Buffer, canaries: string[]): string[] {
  const text = typeof haystack === 'string' ? haystack : haystack.toString('latin1');
  const lower = text.toLowerCase();
  const found: string[] = [];
  for (const canary of canaries) {
    for (const form of canaryForms(canary)) {
      const hit = /^[0-9a-f]+$/.test(form) ? lower.includes(form) : text.includes(form);
      if (hit) found.push(form === canary ? canary : `${canary} (as ${form})`);
    }
  }
  return found;
}

export function assertNoPlaintextIn(
  where: string,
  haystack: string | Buffer | unknown,
  canaries: string[],
): void {
  assertCanaries(canaries);
  const text =
    typeof haystack === 'string' || Buffer.isBuffer(haystack)
      ? haystack
      : (JSON.stringify(haystack ?? null) ?? '');
  const found = findCanaries(text, canaries);
  if (found.length > 0) throw new Error(`Plaintext secret found in ${where}: ${found.join(', ')}`);
}

export interface DumpCheck {
  skipped: boolean;
  reason?: string;
  bytes: number;
}

// pg_dump of the whole test database (schema and data). The embedded engine
// cannot be dumped: then the check is skipped with a message, and
// assertNoPlaintextInRows still covers every table's rows.
export async function assertNoPlaintextInDump(dbUrl: string, canaries: string[]): Promise<DumpCheck> {
  assertCanaries(canaries);
  if (process.env.BROKER_TEST_ENGINE === 'embedded') {
    const reason =
      'the test engine is the embedded PGlite, which pg_dump cannot read: set TEST_DATABASE_URL to a server';
    console.warn(`[canary] pg_dump check SKIPPED: ${reason}`);
    return { skipped: true, reason, bytes: 0 };
  }
  const { stdout } = await run(PG_DUMP, ['--no-owner', '--no-privileges', '--dbname', dbUrl], {
    maxBuffer: 512 * 1024 * 1024,
    encoding: 'buffer',
  });
  const dump = stdout as unknown as Buffer;
  if (!dump.includes('PostgreSQL database dump')) throw new Error('pg_dump produced no dump');
  assertNoPlaintextIn('the pg_dump of the test database', dump, canaries);
  return { skipped: false, bytes: dump.length };
}

// Every row of every table in the current schema, as JSON (works on both engines);
// `tables` narrows it (e.g. ['audit_events']).
export async function assertNoPlaintextInRows(
  dbUrl: string,
  canaries: string[],
  tables?: string[],
): Promise<number> {
  assertCanaries(canaries);
  const client = new Client({ connectionString: dbUrl });
  await client.connect();
  try {
    const { rows: names } = await client.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`,
    );
    let scanned = 0;
    for (const { name } of names) {
      if (tables && !tables.includes(name)) continue;
      const { rows } = await client.query(
        `SELECT row_to_json(t)::text AS j FROM "${name.replace(/"/g, '""')}" t`,
      );
      for (const r of rows) assertNoPlaintextIn(`a row of ${name}`, r.j as string, canaries);
      scanned += rows.length;
    }
    return scanned;
  } finally {
    await client.end();
  }
}

// A pino destination (provide it as LOG_DESTINATION from @app/observability)
// that keeps every JSON log line the app writes, for canary checks on logs.
export class LogSink {
  readonly lines: string[] = [];
  write(chunk: string): boolean {
    for (const line of String(chunk).split('\n')) if (line) this.lines.push(line);
    return true;
  }
  text(): string {
    return this.lines.join('\n');
  }
}

export interface OutputCapture {
  text(): string;
  restore(): void;
}

// Captures what this process writes to stdout and stderr (console, Nest's default
// logger in CLI contexts), while still passing it on unless `quiet`. The apps' pino
// logs do not pass here under jest: provide a LogSink as LOG_DESTINATION instead
// (see test/e2e/vault/vault.e2e-spec.ts).
export function captureProcessOutput(options: { quiet?: boolean } = { quiet: true }): OutputCapture {
  const chunks: string[] = [];
  const keep = (data: unknown) => {
    if (typeof data === 'string') chunks.push(data);
    else if (Buffer.isBuffer(data) || data instanceof Uint8Array)
      chunks.push(Buffer.from(data).toString('utf8'));
  };
  const origStdout = process.stdout.write.bind(process.stdout);
  const origStderr = process.stderr.write.bind(process.stderr);
  const origWriteSync = fs.writeSync;
  const origWrite = fs.write;
  const wrapStream =
    (orig: typeof process.stdout.write) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      keep(chunk);
      if (options.quiet) {
        const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
        cb?.();
        return true;
      }
      return (orig as (...a: unknown[]) => boolean)(chunk, ...rest);
    };
  process.stdout.write = wrapStream(origStdout) as typeof process.stdout.write;
  process.stderr.write = wrapStream(origStderr) as typeof process.stderr.write;
  (fs as { writeSync: unknown }).writeSync = (fd: number, data: unknown, ...rest: unknown[]) => {
    if (fd === 1 || fd === 2) {
      keep(data);
      if (options.quiet) return typeof data === 'string' ? Buffer.byteLength(data) : (data as Buffer).length;
    }
    return (origWriteSync as (...a: unknown[]) => number)(fd, data, ...rest);
  };
  (fs as { write: unknown }).write = (fd: number, data: unknown, ...rest: unknown[]) => {
    if (fd === 1 || fd === 2) {
      keep(data);
      if (options.quiet) {
        const cb = rest.find((r) => typeof r === 'function') as ((e: null, n: number) => void) | undefined;
        const n = typeof data === 'string' ? Buffer.byteLength(data) : (data as Buffer).length;
        if (cb) process.nextTick(() => cb(null, n));
        return;
      }
    }
    return (origWrite as (...a: unknown[]) => void)(fd, data, ...rest);
  };
  return {
    text: () => chunks.join(''),
    restore() {
      process.stdout.write = origStdout;
      process.stderr.write = origStderr;
      (fs as { writeSync: unknown }).writeSync = origWriteSync;
      (fs as { write: unknown }).write = origWrite;
    },
  };
}

// A canary must be long and distinctive, or "not found" proves nothing.
function assertCanaries(canaries: string[]): void {
  if (canaries.length === 0) throw new Error('no canaries given');
  for (const c of canaries) {
    if (c.length < 12)
      throw new Error(`canary "${c}" is too short to be meaningful (12 characters at least)`);
  }
}
