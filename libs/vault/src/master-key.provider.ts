import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { EnvironmentVariables } from '@app/config';
import { KEY_BYTES, type MasterKey } from './envelope';

export interface MasterKeyring {
  activeId: string;
  keys: ReadonlyMap<string, Buffer>;
  // Where the keys came from, for status output: never the keys themselves.
  source: string;
}

// The seam for a KMS (AWS KMS, GCP KMS, Vault transit, an HSM): implement load()
// so that it returns the master keys (e.g. by decrypting wrapped keys with the
// KMS at start), and provide it with VaultModule.withMasterKeyProvider(...).
// A thrown MasterKeyConfigError stops the start; any other error starts the
// vault sealed (a KMS that is down must not crash the process).
export abstract class MasterKeyProvider {
  abstract load(): Promise<MasterKeyring>;
}

export class MasterKeyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MasterKeyConfigError';
  }
}

export const DEFAULT_MASTER_KEY_ID = 'default';
export const GENERATED_MASTER_KEY_FILE = 'master.key';
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const HOW_TO = 'generate one with: openssl rand -base64 32';

// A fixed key for NODE_ENV=test only, so test apps started without MASTER_KEY
// agree with each other; refused in production.
export const TEST_MASTER_KEY = createHash('sha256').update('ovh-broker test master key').digest('base64');

export interface MasterKeySettings {
  NODE_ENV: string;
  DATABASE_URL?: string;
  DATA_DIR: string;
  MASTER_KEY?: string;
  MASTER_KEY_FILE?: string;
  MASTER_KEYS?: string;
  MASTER_KEY_ID?: string;
}

export interface MasterKeyIo {
  readFile(path: string): string;
  // Creates the file only if it does not exist yet; returns false if it did.
  createFile(path: string, content: string): boolean;
  fileMode(path: string): number | undefined;
  warn(message: string): void;
}

export const nodeMasterKeyIo: MasterKeyIo = {
  readFile: (path) => readFileSync(path, 'utf8'),
  createFile(path, content) {
    mkdirSync(resolve(path, '..'), { recursive: true, mode: 0o700 });
    try {
      writeFileSync(path, content, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
    chmodSync(path, 0o600);
    return true;
  },
  fileMode(path) {
    try {
      return statSync(path).mode & 0o777;
    } catch {
      return undefined;
    }
  },
  warn: (message) => new Logger('Vault').warn(message),
};

// Reads MASTER_KEYS, MASTER_KEY or MASTER_KEY_FILE (only one of them). Without
// any: production refuses to start, tests use TEST_MASTER_KEY, and the embedded
// single-machine mode generates DATA_DIR/master.key (0600) with a loud warning.
// Messages name the variable, never the key.
export function loadMasterKeyring(s: MasterKeySettings, io: MasterKeyIo = nodeMasterKeyIo): MasterKeyring {
  const production = s.NODE_ENV === 'production';
  const given = (['MASTER_KEYS', 'MASTER_KEY', 'MASTER_KEY_FILE'] as const).filter((n) => s[n]);
  if (given.length > 1) {
    throw new MasterKeyConfigError(
      `Set only one of MASTER_KEY, MASTER_KEY_FILE and MASTER_KEYS (found ${given.join(' and ')})`,
    );
  }
  if (s.MASTER_KEY_ID !== undefined && !KEY_ID.test(s.MASTER_KEY_ID)) {
    throw new MasterKeyConfigError('MASTER_KEY_ID must be 1 to 64 characters among A-Z a-z 0-9 . _ -');
  }
  let ring: MasterKeyring;
  if (s.MASTER_KEYS) {
    ring = parseKeyring(s.MASTER_KEYS, s.MASTER_KEY_ID, 'MASTER_KEYS', 'MASTER_KEYS');
  } else if (s.MASTER_KEY) {
    ring = single(decodeKey(s.MASTER_KEY, 'MASTER_KEY'), s.MASTER_KEY_ID, 'MASTER_KEY');
  } else if (s.MASTER_KEY_FILE) {
    let content: string;
    try {
      content = io.readFile(s.MASTER_KEY_FILE).trim();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new MasterKeyConfigError(`MASTER_KEY_FILE=${s.MASTER_KEY_FILE} cannot be read (${code})`);
    }
    // A file holds one base64 key, or a keyring: `id:base64` entries, one a line or comma-separated.
    ring = content.includes(':')
      ? parseKeyring(
          content.replace(/\s*\n\s*/g, ','),
          s.MASTER_KEY_ID,
          'MASTER_KEY_FILE',
          `MASTER_KEY_FILE (${s.MASTER_KEY_FILE})`,
        )
      : single(
          decodeKey(content, 'MASTER_KEY_FILE'),
          s.MASTER_KEY_ID,
          `MASTER_KEY_FILE (${s.MASTER_KEY_FILE})`,
        );
  } else if (production) {
    throw new MasterKeyConfigError(
      `MASTER_KEY is required when NODE_ENV=production (or MASTER_KEY_FILE or MASTER_KEYS): ${HOW_TO}`,
    );
  } else if (s.NODE_ENV === 'test') {
    ring = single(
      Buffer.from(TEST_MASTER_KEY, 'base64'),
      s.MASTER_KEY_ID,
      'built-in test key (NODE_ENV=test)',
    );
  } else if (!s.DATABASE_URL) {
    ring = single(
      generatedKey(s.DATA_DIR, io),
      s.MASTER_KEY_ID,
      `generated file ${GENERATED_MASTER_KEY_FILE} in DATA_DIR`,
    );
  } else {
    throw new MasterKeyConfigError(
      `MASTER_KEY is not set (nor MASTER_KEY_FILE or MASTER_KEYS). A key is generated only in the embedded ` +
        `single-machine mode (DATABASE_URL unset); with a database server every instance needs the same key: ${HOW_TO}`,
    );
  }
  if (production) refuseWeakKeys(ring, given[0] ?? 'MASTER_KEY');
  return ring;
}

function single(key: Buffer, id: string | undefined, source: string): MasterKeyring {
  const activeId = id ?? DEFAULT_MASTER_KEY_ID;
  return { activeId, keys: new Map([[activeId, key]]), source };
}

function parseKeyring(
  text: string,
  activeId: string | undefined,
  variable: string,
  source: string,
): MasterKeyring {
  const keys = new Map<string, Buffer>();
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0)
    throw new MasterKeyConfigError(`${variable} lists no key (expected id:base64,...)`);
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    if (!KEY_ID.test(id)) {
      throw new MasterKeyConfigError(
        `${variable} entry #${i + 1} must be id:base64 with an id of 1 to 64 characters among A-Z a-z 0-9 . _ -`,
      );
    }
    if (keys.has(id)) throw new MasterKeyConfigError(`${variable} lists the key id "${id}" twice`);
    keys.set(id, decodeKey(entry.slice(colon + 1), `${variable} (key "${id}")`));
  });
  if (activeId === undefined) {
    if (keys.size > 1) {
      throw new MasterKeyConfigError(
        `MASTER_KEY_ID must name the active key when ${variable} lists several keys`,
      );
    }
    return { activeId: [...keys.keys()][0], keys, source };
  }
  if (!keys.has(activeId))
    throw new MasterKeyConfigError(`MASTER_KEY_ID="${activeId}" names no key in ${variable}`);
  return { activeId, keys, source };
}

export function decodeKey(text: string, variable: string): Buffer {
  const trimmed = text.trim();
  if (!BASE64.test(trimmed)) {
    throw new MasterKeyConfigError(
      `${variable} must be the base64 encoding of ${KEY_BYTES} random bytes: ${HOW_TO}`,
    );
  }
  const key = Buffer.from(trimmed, trimmed.includes('-') || trimmed.includes('_') ? 'base64url' : 'base64');
  if (key.length !== KEY_BYTES) {
    throw new MasterKeyConfigError(
      `${variable} must decode to exactly ${KEY_BYTES} bytes (it decodes to ${key.length}): ${HOW_TO}`,
    );
  }
  return key;
}

function refuseWeakKeys(ring: MasterKeyring, variable: string): void {
  const test = Buffer.from(TEST_MASTER_KEY, 'base64');
  for (const [id, key] of ring.keys) {
    if (key.every((b) => b === key[0]) || key.equals(test)) {
      throw new MasterKeyConfigError(
        `${variable}: the key "${id}" is a placeholder (repeated byte or the test key), refused in production: ${HOW_TO}`,
      );
    }
  }
}

function generatedKey(dataDir: string, io: MasterKeyIo): Buffer {
  const path = join(resolve(dataDir), GENERATED_MASTER_KEY_FILE);
  const created = io.createFile(path, `${randomBytes(KEY_BYTES).toString('base64')}\n`);
  const mode = io.fileMode(path);
  if (created) {
    io.warn(
      `\n!!! No master key configured (MASTER_KEY, MASTER_KEY_FILE or MASTER_KEYS): generated a new one in ${path} (mode 0600).\n` +
        '!!! Every stored secret is encrypted under it: back it up with the database, or the secrets cannot be recovered.\n' +
        '!!! This is only for the embedded single-machine mode; in production set MASTER_KEY_FILE (see docs/vault.md).',
    );
  } else {
    io.warn(
      `Using the generated master key in ${path} (no MASTER_KEY, MASTER_KEY_FILE or MASTER_KEYS is set).`,
    );
  }
  if (mode !== undefined && (mode & 0o077) !== 0) {
    io.warn(`${path} is readable by other users (mode ${mode.toString(8)}): chmod 600 it`);
  }
  return decodeKey(io.readFile(path), `the generated key file ${path}`);
}

// Reads the keys from the validated configuration (env.validation.ts declares the variables).
@Injectable()
export class EnvMasterKeyProvider extends MasterKeyProvider {
  constructor(private readonly config: ConfigService<EnvironmentVariables, true>) {
    super();
  }

  async load(): Promise<MasterKeyring> {
    const c = this.config;
    // ConfigService falls back to the raw process.env for values validated to undefined, so '' can come back
    const set = (v: string | undefined) => (v && v.trim() !== '' ? v : undefined);
    return loadMasterKeyring({
      NODE_ENV: c.get('NODE_ENV', { infer: true }),
      DATABASE_URL: set(c.get('DATABASE_URL', { infer: true })),
      DATA_DIR: c.get('DATA_DIR', { infer: true }),
      MASTER_KEY: set(c.get('MASTER_KEY', { infer: true })),
      MASTER_KEY_FILE: set(c.get('MASTER_KEY_FILE', { infer: true })),
      MASTER_KEYS: set(c.get('MASTER_KEYS', { infer: true })),
      MASTER_KEY_ID: set(c.get('MASTER_KEY_ID', { infer: true })),
    });
  }
}

export function masterKeyOf(ring: MasterKeyring, id: string): MasterKey | undefined {
  const key = ring.keys.get(id);
  return key ? { id, key } : undefined;
}
