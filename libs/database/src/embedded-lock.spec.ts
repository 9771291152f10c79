import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockDataDir } from './embedded-postgres';

describe(lockDataDir.name, () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'broker-lock-'));

  it('records this process and releases the lock on stop', () => {
    const d = dir();
    const release = lockDataDir(d);
    expect(readFileSync(join(d, 'broker.pid'), 'utf8')).toBe(String(process.pid));
    release();
    expect(existsSync(join(d, 'broker.pid'))).toBe(false);
  });

  it('refuses a data directory another live process holds, naming it', () => {
    const d = dir();
    writeFileSync(join(d, 'broker.pid'), String(process.ppid));
    expect(() => lockDataDir(d)).toThrow(new RegExp(`in use by process ${process.ppid}.*DATABASE_URL`));
  });

  it('takes over a lock left by a process that is gone', () => {
    const d = dir();
    writeFileSync(join(d, 'broker.pid'), '2147483646');
    const release = lockDataDir(d);
    expect(readFileSync(join(d, 'broker.pid'), 'utf8')).toBe(String(process.pid));
    release();
  });
});
