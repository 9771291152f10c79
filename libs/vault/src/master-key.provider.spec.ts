import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import {
  loadMasterKeyring,
  MasterKeyConfigError,
  type MasterKeyIo,
  type MasterKeySettings,
  TEST_MASTER_KEY,
} from './master-key.provider';

const K1 = randomBytes(32).toString('base64');
const K2 = randomBytes(32).toString('base64');

function fakeIo(files: Record<string, string> = {}, modes: Record<string, number> = {}) {
  const warnings: string[] = [];
  const created: string[] = [];
  const io: MasterKeyIo = {
    readFile(path) {
      if (!(path in files)) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      return files[path];
    },
    createFile(path, content) {
      if (path in files) return false;
      files[path] = content;
      modes[path] = 0o600;
      created.push(path);
      return true;
    },
    fileMode: (path) => modes[path],
    warn: (m) => warnings.push(m),
  };
  return { io, warnings, created, files };
}

function load(s: Partial<MasterKeySettings>, io = fakeIo().io) {
  return loadMasterKeyring(
    { NODE_ENV: 'development', DATA_DIR: '/data', DATABASE_URL: 'postgres://x/y', ...s },
    io,
  );
}

function expectConfigError(fn: () => unknown, naming: RegExp, secrets: string[] = []): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(MasterKeyConfigError);
  expect((thrown as Error).message).toMatch(naming);
  for (const s of secrets) expect((thrown as Error).message).not.toContain(s);
}

describe(loadMasterKeyring.name, () => {
  it('reads MASTER_KEY as the key "default", or under MASTER_KEY_ID', () => {
    const ring = load({ MASTER_KEY: K1 });
    expect(ring.activeId).toBe('default');
    expect(ring.keys.get('default')?.toString('base64')).toBe(K1);
    expect(load({ MASTER_KEY: K1, MASTER_KEY_ID: '2026-01' }).activeId).toBe('2026-01');
  });

  it('accepts url-safe base64 and unpadded keys', () => {
    const raw = randomBytes(32);
    expect(
      load({ MASTER_KEY: raw.toString('base64url') })
        .keys.get('default')
        ?.equals(raw),
    ).toBe(true);
  });

  it('reads a keyring from MASTER_KEYS with MASTER_KEY_ID naming the active key', () => {
    const ring = load({ MASTER_KEYS: `old:${K1}, new:${K2}`, MASTER_KEY_ID: 'new' });
    expect(ring.activeId).toBe('new');
    expect([...ring.keys.keys()]).toEqual(['old', 'new']);
    expect(load({ MASTER_KEYS: `only:${K1}` }).activeId).toBe('only');
  });

  it('reads MASTER_KEY_FILE holding one key or a keyring', () => {
    const { io } = fakeIo({ '/run/secrets/mk': `${K1}\n`, '/run/secrets/ring': `a:${K1}\nb:${K2}\n` });
    expect(load({ MASTER_KEY_FILE: '/run/secrets/mk' }, io).keys.get('default')?.toString('base64')).toBe(K1);
    const ring = load({ MASTER_KEY_FILE: '/run/secrets/ring', MASTER_KEY_ID: 'b' }, io);
    expect(ring.activeId).toBe('b');
    expect(ring.keys.size).toBe(2);
  });

  it.each([
    [{ MASTER_KEY: 'c2hvcnQ=' }, /MASTER_KEY must decode to exactly 32 bytes \(it decodes to 5\)/],
    [{ MASTER_KEY: 'not base64 at all!' }, /MASTER_KEY must be the base64 encoding/],
    [{ MASTER_KEY: randomBytes(48).toString('base64') }, /MASTER_KEY must decode to exactly 32 bytes/],
    [{ MASTER_KEYS: `a:${K1},b:${K2}` }, /MASTER_KEY_ID must name the active key/],
    [{ MASTER_KEYS: `a:${K1}`, MASTER_KEY_ID: 'b' }, /MASTER_KEY_ID="b" names no key in MASTER_KEYS/],
    [{ MASTER_KEYS: `a:${K1},a:${K2}`, MASTER_KEY_ID: 'a' }, /MASTER_KEYS lists the key id "a" twice/],
    [{ MASTER_KEYS: `${K1}` }, /MASTER_KEYS entry #1 must be id:base64/],
    [{ MASTER_KEYS: `a:${K1},b:short` }, /MASTER_KEYS \(key "b"\) must/],
    [
      { MASTER_KEY: K1, MASTER_KEYS: `a:${K2}` },
      /Set only one of MASTER_KEY, MASTER_KEY_FILE and MASTER_KEYS/,
    ],
    [{ MASTER_KEY: K1, MASTER_KEY_ID: 'bad id!' }, /MASTER_KEY_ID must be/],
    [{ MASTER_KEY_FILE: '/missing' }, /MASTER_KEY_FILE=\/missing cannot be read \(ENOENT\)/],
  ])('refuses bad setting #%# with a message naming the variable and never the key', (settings, message) => {
    expectConfigError(() => load(settings as Partial<MasterKeySettings>), message, [K1, K2]);
  });

  it('refuses to start in production without a key', () => {
    expectConfigError(
      () => load({ NODE_ENV: 'production' }),
      /MASTER_KEY is required when NODE_ENV=production/,
    );
    expectConfigError(
      () => load({ NODE_ENV: 'production', DATABASE_URL: undefined }),
      /MASTER_KEY is required when NODE_ENV=production/,
    );
  });

  it.each([
    ['an all-zero key', Buffer.alloc(32).toString('base64')],
    ['a repeated byte', Buffer.alloc(32, 0x41).toString('base64')],
    ['the test key', TEST_MASTER_KEY],
  ])('refuses %s in production, and accepts it elsewhere', (_label, key) => {
    expectConfigError(
      () => load({ NODE_ENV: 'production', MASTER_KEY: key }),
      /MASTER_KEY: the key "default" is a placeholder/,
    );
    expectConfigError(
      () => load({ NODE_ENV: 'production', MASTER_KEYS: `old:${key},new:${K1}`, MASTER_KEY_ID: 'new' }),
      /MASTER_KEYS: the key "old" is a placeholder/,
    );
    expect(load({ MASTER_KEY: key }).activeId).toBe('default');
  });

  it('refuses to invent a key when a database server is configured outside tests', () => {
    expectConfigError(() => load({}), /MASTER_KEY is not set .* openssl rand -base64 32/);
  });

  it('uses the built-in test key under NODE_ENV=test', () => {
    expect(load({ NODE_ENV: 'test' }).keys.get('default')?.toString('base64')).toBe(TEST_MASTER_KEY);
  });

  describe('embedded single-machine mode (DATABASE_URL unset)', () => {
    const path = join(resolve('/data'), 'master.key');

    it('generates DATA_DIR/master.key once, mode 0600, with a loud warning, then reuses it', () => {
      const { io, warnings, created, files } = fakeIo();
      const first = load({ DATABASE_URL: undefined }, io);
      expect(created).toEqual([path]);
      expect(warnings[0]).toMatch(
        /No master key configured.*generated a new one in .*master\.key \(mode 0600\)/s,
      );
      expect(warnings[0]).toMatch(/back it up with the database/);
      expect(warnings.join('\n')).not.toContain(files[path].trim());
      const second = load({ DATABASE_URL: undefined }, io);
      expect(second.keys.get('default')?.equals(first.keys.get('default') as Buffer)).toBe(true);
      expect(created).toHaveLength(1);
    });

    it('warns when the key file is readable by others', () => {
      const { io, warnings } = fakeIo({ [path]: K1 }, { [path]: 0o644 });
      load({ DATABASE_URL: undefined }, io);
      expect(warnings.join('\n')).toMatch(/readable by other users \(mode 644\): chmod 600/);
    });
  });
});
