// Cost of sealing and opening one secret, as a ratio to a bare node:crypto
// AES-256-GCM call measured in the same run (so the machine's speed cancels out).
// Run: node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/vault/vault.bench.ts
// Options (env): BENCH_ROUNDS (default 7), BENCH_OPS (per round, default 20000), BENCH_SECRET_BYTES (default 64).
import 'reflect-metadata';
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { ReadinessService, SystemClock } from '../../libs/common/src';
import { openSecret, sealSecret, generateDataKey, type SecretPlace } from '../../libs/vault/src/envelope';
import type { MasterKeyProvider } from '../../libs/vault/src/master-key.provider';
import type { DataKeyRow, VaultKeyStore } from '../../libs/vault/src/vault-key.store';
import { VaultService } from '../../libs/vault/src/vault.service';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const OPS = Number(process.env.BENCH_OPS ?? 20000);
const SECRET = randomBytes(Number(process.env.BENCH_SECRET_BYTES ?? 64) / 2).toString('hex');
const place: SecretPlace = { table: 'application_keys', column: 'secret_sealed', rowId: randomUUID() };

// In-memory stand-in for the vault's SQL: the benchmark measures the crypto and
// the service's own work, not the database (a seal reserves its budget from the
// database once per 1024 seals, an open unwraps its data key once, then caches it).
function memoryStore(): VaultKeyStore {
  const rows: DataKeyRow[] = [];
  const store = {
    listDataKeys: async () => rows.filter((r) => !r.retiredAt),
    countDataKeys: async () => rows.length,
    findDataKey: async (id: string) => rows.find((r) => r.id === id),
    insertFirstDataKey: async (id: string, kekId: string, wrappedKey: string) => {
      rows.push({
        id,
        kekId,
        wrappedKey,
        active: true,
        reservedSeals: 0,
        createdAt: new Date(),
        deactivatedAt: null,
        retiredAt: null,
      });
      return true;
    },
    reserveSeals: async (n: number) => {
      const row = rows.find((r) => r.active);
      if (row) row.reservedSeals += n;
      return row;
    },
    upsertSealedColumns: async () => undefined,
  };
  return store as unknown as VaultKeyStore;
}

function bareSeal(key: Buffer, plaintext: string, aad: Buffer): Buffer {
  const nonce = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
  c.setAAD(aad);
  const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
  return Buffer.concat([nonce, body, c.getAuthTag()]);
}

function bareOpen(key: Buffer, box: Buffer, aad: Buffer): string {
  const d = createDecipheriv('aes-256-gcm', key, box.subarray(0, 12), { authTagLength: 16 });
  d.setAAD(aad);
  d.setAuthTag(box.subarray(box.length - 16));
  return Buffer.concat([d.update(box.subarray(12, box.length - 16)), d.final()]).toString('utf8');
}

async function measure(fn: () => unknown | Promise<unknown>, isAsync: boolean): Promise<number> {
  const samples: number[] = [];
  for (let r = 0; r < ROUNDS + 1; r++) {
    const start = process.hrtime.bigint();
    if (isAsync) for (let i = 0; i < OPS; i++) await fn();
    else for (let i = 0; i < OPS; i++) fn();
    const ns = Number(process.hrtime.bigint() - start) / OPS;
    if (r > 0) samples.push(ns); // round 0 warms up
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

async function main(): Promise<void> {
  Logger.overrideLogger(false);
  const masterKey = randomBytes(32);
  const provider = {
    load: async () => ({ activeId: 'bench', keys: new Map([['bench', masterKey]]), source: 'bench' }),
  } as unknown as MasterKeyProvider;
  const vault = new VaultService(memoryStore(), provider, new ReadinessService(), new SystemClock());
  await vault.onModuleInit();

  const key = randomBytes(32);
  const aad = Buffer.from('application_keys/secret_sealed/' + place.rowId);
  const box = bareSeal(key, SECRET, aad);
  const dek = generateDataKey();
  const sealedPure = sealSecret(dek, SECRET, place);
  const sealed = await vault.seal(SECRET, place);
  if (bareOpen(key, box, aad) !== SECRET || (await vault.open(sealed, place)) !== SECRET)
    throw new Error('round trip failed');

  const results = {
    bareSeal: await measure(() => bareSeal(key, SECRET, aad), false),
    bareOpen: await measure(() => bareOpen(key, box, aad), false),
    envelopeSeal: await measure(() => sealSecret(dek, SECRET, place), false),
    envelopeOpen: await measure(() => openSecret(dek, sealedPure, place), false),
    serviceSeal: await measure(() => vault.seal(SECRET, place), true),
    serviceOpen: await measure(() => vault.open(sealed, place), true),
  };
  const row = (name: string, ns: number, base: number) =>
    `| ${name.padEnd(38)} | ${ns.toFixed(0).padStart(8)} | ${(1e9 / ns).toFixed(0).padStart(9)} | ${(ns / base).toFixed(2).padStart(6)}x |`;
  console.log(
    `vault microbenchmark: node ${process.version}, ${ROUNDS} rounds x ${OPS} ops, median; secret ${SECRET.length} bytes`,
  );
  console.log('| operation                              |  ns/op   |   ops/s   | ratio  |');
  console.log('|----------------------------------------|----------|-----------|--------|');
  console.log(row('bare node:crypto AES-256-GCM encrypt', results.bareSeal, results.bareSeal));
  console.log(row('envelope sealSecret (pure)', results.envelopeSeal, results.bareSeal));
  console.log(row('VaultService.seal', results.serviceSeal, results.bareSeal));
  console.log(row('bare node:crypto AES-256-GCM decrypt', results.bareOpen, results.bareOpen));
  console.log(row('envelope openSecret (pure)', results.envelopeOpen, results.bareOpen));
  console.log(row('VaultService.open', results.serviceOpen, results.bareOpen));
  console.log(
    `RESULT seal ratio ${(results.serviceSeal / results.bareSeal).toFixed(2)}x, open ratio ${(results.serviceOpen / results.bareOpen).toFixed(2)}x (VaultService vs bare AES-256-GCM)`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
