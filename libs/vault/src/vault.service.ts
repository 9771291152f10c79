import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit, Optional } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock, DomainException, ReadinessService } from '@app/common';
import {
  assertPlace,
  type DataKey,
  EnvelopeError,
  generateDataKey,
  type MasterKey,
  openSecret,
  parseSealed,
  type ParsedSealed,
  sealSecret,
  type SecretPlace,
  unwrapDataKey,
  wrapDataKey,
} from './envelope';
import { MasterKeyConfigError, MasterKeyProvider, type MasterKeyring } from './master-key.provider';
import { decryptFailed, type DecryptFailure, vaultSealed } from './vault.errors';
import { type DataKeyRow, isIdent, type SealedColumn, VaultKeyStore } from './vault-key.store';

export interface VaultOptions {
  // seals taken from the shared per-key counter at a time
  sealBlockSize: number;
  // how long an instance keeps sealing under the data key it leased before asking again
  leaseMs: number;
  // a data key is replaced after this many seals (random 96-bit nonces: NIST SP 800-38D caps a key at 2^32)
  maxSealsPerDataKey: number;
  // unwrapped data keys kept in memory, and for how long
  cacheSize: number;
  cacheTtlMs: number;
  // a data key left unused by a re-encryption is erased only once it has been inactive this long
  retireGraceMs: number;
}

export const VAULT_OPTIONS = Symbol('VAULT_OPTIONS');

// Seals without touching the database: what to use inside a database transaction.
export interface Sealer {
  seal(plaintext: string, place: SecretPlace): string;
}

export const DEFAULT_VAULT_OPTIONS: VaultOptions = {
  sealBlockSize: 1024,
  leaseMs: 5000,
  maxSealsPerDataKey: 2 ** 30,
  cacheSize: 256,
  cacheTtlMs: 5 * 60_000,
  retireGraceMs: 60_000,
};

interface CachedKey {
  key: DataKey;
  until: number;
}

// Seals and opens secrets bound to their place (table, column, row id). Starts
// sealed, never crashing, when the configured master keys cannot open the stored
// data keys; then every seal/open throws VAULT_SEALED and nothing is written.
@Injectable()
export class VaultService implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('Vault');
  readonly options: VaultOptions;
  private keyring?: MasterKeyring;
  private sealedBecause: string | null = 'not started yet';
  private readonly cache = new Map<string, CachedKey>();
  private lease?: { key: DataKey; remaining: number; until: number };
  private leasing?: Promise<void>;
  private readonly columns = new Map<string, SealedColumn>();
  private bootstrapped = false;

  constructor(
    private readonly store: VaultKeyStore,
    private readonly provider: MasterKeyProvider,
    private readonly readiness: ReadinessService,
    private readonly clock: Clock,
    @Optional() @Inject(VAULT_OPTIONS) options?: Partial<VaultOptions>,
  ) {
    this.options = { ...DEFAULT_VAULT_OPTIONS, ...options };
  }

  async onModuleInit(): Promise<void> {
    this.readiness.register('vault', async () =>
      this.sealedBecause
        ? { ok: false, detail: `sealed: ${this.sealedBecause}` }
        : { ok: true, detail: `unsealed; active master key "${this.keyring?.activeId}"` },
    );
    await this.unseal();
  }

  async onApplicationBootstrap(): Promise<void> {
    this.bootstrapped = true;
    if (this.sealedBecause) return;
    await this.store.upsertSealedColumns([...this.columns.values()]).catch((e: unknown) => {
      this.logger.warn(`cannot record the sealed columns: ${message(e)}`);
    });
  }

  // May renew the data-key lease (a query on its own connection): inside a database
  // transaction use sealer(), taken before the transaction opens.
  async seal(plaintext: string, place: SecretPlace): Promise<string> {
    this.assertUnsealed();
    assertPlace(place);
    const key = await this.activeDataKey();
    return sealSecret(key, plaintext, place);
  }

  // Takes `count` seals now (renewing the lease if it must), for sealing later with no
  // database access: the embedded engine runs one transaction at a time, so a lease
  // renewal on another connection from inside a transaction would wait for ever.
  async sealer(count = 1): Promise<Sealer> {
    this.assertUnsealed();
    const keys: DataKey[] = [];
    for (let i = 0; i < count; i++) keys.push(await this.activeDataKey());
    return {
      seal: (plaintext: string, place: SecretPlace): string => {
        this.assertUnsealed();
        assertPlace(place);
        const key = keys.shift();
        if (!key) throw new Error(`this sealer was taken for ${count} seal(s) and they are used up`);
        return sealSecret(key, plaintext, place);
      },
    };
  }

  // `m`: the caller's transaction, if any, for reading a data key missing from the cache.
  async open(sealed: string, place: SecretPlace, m?: EntityManager): Promise<string> {
    this.assertUnsealed();
    assertPlace(place);
    let parsed: ParsedSealed;
    try {
      parsed = parseSealed(sealed);
    } catch {
      throw this.failed(place, 'malformed');
    }
    const key = await this.dataKeyFor(parsed.keyId, place, m);
    try {
      return openSecret(key, parsed, place);
    } catch (e) {
      throw this.failed(
        place,
        e instanceof EnvelopeError && e.reason === 'malformed' ? 'malformed' : 'authentication_failed',
      );
    }
  }

  isSealed(): boolean {
    return this.sealedBecause !== null;
  }

  sealedReason(): string | null {
    return this.sealedBecause;
  }

  assertUnsealed(): void {
    if (this.sealedBecause) throw vaultSealed(this.sealedBecause);
  }

  // Libs call this (in onModuleInit) for every column holding values from seal(),
  // so that keys:rotate --reencrypt and keys:status find them.
  registerSealedColumn(column: SealedColumn): void {
    for (const name of [column.table, column.column, column.idColumn]) {
      if (!isIdent(name))
        throw new Error(`registerSealedColumn: ${JSON.stringify(name)} is not a plain snake_case name`);
    }
    this.columns.set(`${column.table}.${column.column}`, { ...column });
    if (this.bootstrapped && !this.sealedBecause) {
      this.store.upsertSealedColumns([column]).catch((e: unknown) => {
        this.logger.warn(`cannot record the sealed column ${column.table}.${column.column}: ${message(e)}`);
      });
    }
  }

  // What the rotation and status code need; not for other libs.
  registeredColumns(): SealedColumn[] {
    return [...this.columns.values()];
  }

  activeMasterKey(): MasterKey {
    this.assertUnsealed();
    const ring = this.keyring as MasterKeyring;
    return { id: ring.activeId, key: ring.keys.get(ring.activeId) as Buffer };
  }

  masterKey(id: string): MasterKey | undefined {
    const key = this.keyring?.keys.get(id);
    return key ? { id, key } : undefined;
  }

  keyringSummary(): { activeId: string | null; ids: string[]; source: string | null } {
    return {
      activeId: this.keyring?.activeId ?? null,
      ids: this.keyring ? [...this.keyring.keys.keys()] : [],
      source: this.keyring?.source ?? null,
    };
  }

  async dataKey(id: string, m?: EntityManager): Promise<DataKey> {
    return this.dataKeyFor(id, undefined, m);
  }

  forgetDataKey(id: string): void {
    this.cache.delete(id);
    if (this.lease?.key.id === id) this.lease = undefined;
  }

  dropLease(): void {
    this.lease = undefined;
  }

  private async unseal(): Promise<void> {
    try {
      this.keyring = await this.provider.load();
    } catch (e) {
      if (e instanceof MasterKeyConfigError) throw e;
      return this.becomeSealed(`the master key provider failed (${message(e)})`);
    }
    let rows: DataKeyRow[];
    try {
      rows = await this.store.listDataKeys();
    } catch (e) {
      return this.becomeSealed(`cannot read the data keys (${message(e)})`);
    }
    const missing = new Map<string, number>();
    const wrong = new Map<string, number>();
    for (const row of rows) {
      const master = this.masterKey(row.kekId);
      if (!master) {
        missing.set(row.kekId, (missing.get(row.kekId) ?? 0) + 1);
        continue;
      }
      try {
        this.remember(unwrapDataKey(master, row.id, row.wrappedKey as string));
      } catch {
        wrong.set(row.kekId, (wrong.get(row.kekId) ?? 0) + 1);
      }
    }
    if (missing.size > 0) {
      const [id, n] = [...missing][0];
      return this.becomeSealed(
        `no master key "${id}" is configured, but ${n} data key(s) are wrapped under it ` +
          `(configured: ${this.keyringSummary().ids.join(', ')}; keep every key in use in MASTER_KEYS until keys:rotate has run)`,
      );
    }
    if (wrong.size > 0) {
      const [id, n] = [...wrong][0];
      return this.becomeSealed(
        `the master key "${id}" does not open the ${n} data key(s) wrapped under it (wrong key?)`,
      );
    }
    try {
      if (rows.length === 0) await this.createFirstDataKey();
    } catch (e) {
      return this.becomeSealed(`cannot create the first data key (${message(e)})`);
    }
    this.sealedBecause = null;
    const ring = this.keyring as MasterKeyring;
    this.logger.log(
      `vault unsealed: ${rows.length} data key(s), active master key "${ring.activeId}" from ${ring.source}`,
    );
  }

  private becomeSealed(reason: string): void {
    this.sealedBecause = reason;
    this.cache.clear();
    this.logger.error(
      `VAULT SEALED: ${reason}. Secrets cannot be read or written until the broker restarts with the right master key.`,
    );
  }

  private async createFirstDataKey(): Promise<void> {
    if ((await this.store.countDataKeys()) > 0) return;
    const master = this.activeMasterKey0();
    const key = generateDataKey();
    if (await this.store.insertFirstDataKey(key.id, master.id, wrapDataKey(master, key))) this.remember(key);
  }

  private activeMasterKey0(): MasterKey {
    const ring = this.keyring as MasterKeyring;
    return { id: ring.activeId, key: ring.keys.get(ring.activeId) as Buffer };
  }

  private async activeDataKey(): Promise<DataKey> {
    for (;;) {
      const lease = this.lease;
      if (lease && lease.remaining > 0 && lease.until > this.clock.now().getTime()) {
        lease.remaining -= 1;
        return lease.key;
      }
      this.leasing ??= this.renewLease().finally(() => {
        this.leasing = undefined;
      });
      await this.leasing;
    }
  }

  private async renewLease(attempt = 0): Promise<void> {
    const block = this.options.sealBlockSize;
    try {
      const row = await this.store.reserveSeals(block);
      let key: DataKey;
      if (!row || row.reservedSeals > this.options.maxSealsPerDataKey) {
        const master = this.activeMasterKey();
        key = generateDataKey();
        await this.store.insertActiveDataKey(key.id, master.id, wrapDataKey(master, key), block);
        this.remember(key);
        if (row)
          this.logger.log(`data key ${row.id} reached its seal budget; data key ${key.id} is now active`);
      } else {
        key = await this.dataKey(row.id);
      }
      this.lease = { key, remaining: block, until: this.clock.now().getTime() + this.options.leaseMs };
    } catch (e) {
      // two instances replacing the active key at once: one wins the unique index, the other retries
      if (attempt < 2 && !(e instanceof DomainException)) return this.renewLease(attempt + 1);
      throw e;
    }
  }

  private async dataKeyFor(id: string, place: SecretPlace | undefined, m?: EntityManager): Promise<DataKey> {
    const hit = this.cache.get(id);
    const now = this.clock.now().getTime();
    if (hit && hit.until > now) return hit.key;
    const row = await this.store.findDataKey(id, m);
    if (!row) throw this.failed(place, 'unknown_key');
    if (row.retiredAt || !row.wrappedKey) throw this.failed(place, 'retired_key');
    const master = this.masterKey(row.kekId);
    if (!master) throw this.failed(place, 'master_key_missing');
    let key: DataKey;
    try {
      key = unwrapDataKey(master, row.id, row.wrappedKey);
    } catch {
      throw this.failed(place, 'master_key_mismatch');
    }
    this.remember(key);
    return key;
  }

  private remember(key: DataKey): void {
    this.cache.delete(key.id);
    this.cache.set(key.id, { key, until: this.clock.now().getTime() + this.options.cacheTtlMs });
    while (this.cache.size > this.options.cacheSize) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest);
    }
  }

  // Logged with the place and the reason only: never the value, never a key.
  private failed(place: SecretPlace | undefined, reason: DecryptFailure): DomainException {
    const where = place ? `${place.table}.${place.column} row ${place.rowId}` : 'a data key';
    this.logger.error(`VAULT_DECRYPT_FAILED: cannot open ${where}: ${reason}`);
    return decryptFailed(reason);
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
