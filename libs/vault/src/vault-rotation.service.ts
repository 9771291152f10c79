import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Clock, DomainException } from '@app/common';
import type { QueryRunner } from 'typeorm';
import {
  EnvelopeError,
  generateDataKey,
  openSecret,
  parseSealed,
  sealSecret,
  unwrapDataKey,
  wrapDataKey,
} from './envelope';
import { VAULT_ERROR_CODES } from './vault.errors';
import { type DataKeyRow, ident, type SealedColumn, VaultKeyStore } from './vault-key.store';
import { VaultService } from './vault.service';

// Any fixed 64-bit number: one rotation at a time across all instances.
export const VAULT_ROTATION_LOCK_ID = 0x6f76685f7661756cn.toString();

export interface RotationOptions {
  reencrypt?: boolean;
  batchSize?: number;
  onProgress?: (p: RotationProgress) => void;
  // test seam: called inside each batch's transaction before a row is written
  beforeRowWrite?: (info: { phase: 'rewrap' | 'reencrypt'; index: number }) => void | Promise<void>;
}

export interface ColumnProgress {
  after: string | null;
  done: boolean;
  resealed: number;
  unreadable?: number;
  skipped?: 'missing';
}

export interface RotationProgress {
  jobId: string;
  phase: 'rewrap' | 'reencrypt' | 'retire' | 'done';
  rewrapped: number;
  resealed: number;
  batches: number;
  column?: string;
}

export interface RotationJobView {
  id: string;
  status: 'running' | 'done' | 'failed';
  reencrypt: boolean;
  targetMasterKeyId: string;
  targetDataKeyId: string | null;
  rewrapped: number;
  resealed: number;
  batches: number;
  columns: Record<string, ColumnProgress>;
  retiredDataKeys: string[];
  error: string | null;
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface MasterKeyStatus {
  id: string;
  configured: boolean;
  active: boolean;
  dataKeys: number;
  sealedValues: number;
  canRetire: boolean;
}

export interface DataKeyStatus {
  id: string;
  masterKeyId: string;
  active: boolean;
  retired: boolean;
  sealedValues: number;
  reservedSeals: number;
  createdAt: string;
  retiredAt: string | null;
}

export interface SealedColumnStatus {
  table: string;
  column: string;
  present: boolean;
  sealedValues: number;
}

export interface VaultStatus {
  sealed: boolean;
  sealedReason: string | null;
  activeMasterKeyId: string | null;
  masterKeySource: string | null;
  masterKeys: MasterKeyStatus[];
  dataKeys: DataKeyStatus[];
  columns: SealedColumnStatus[];
  lastRotation: RotationJobView | null;
}

interface JobRow {
  id: string;
  status: 'running' | 'done' | 'failed';
  reencrypt: boolean;
  targetKekId: string;
  targetDekId: string | null;
  progress: { columns?: Record<string, ColumnProgress>; retired?: string[] };
  rewrapped: number;
  resealed: number;
  batches: number;
  error: string | null;
  startedAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

const JOB_COLUMNS = `id::text AS id, status, reencrypt, target_kek_id AS "targetKekId", target_dek_id::text AS "targetDekId",
  progress, rewrapped, resealed, batches, error, started_at AS "startedAt", updated_at AS "updatedAt",
  finished_at AS "finishedAt"`;

// Master key rotation (re-wrap every data key under the active master key) and,
// on request, re-encryption of every registered column under a fresh data key.
// Batches commit one by one with the job's progress, so a crash loses at most a
// batch and the next run resumes the unfinished job.
@Injectable()
export class VaultRotationService implements OnApplicationShutdown {
  private readonly logger = new Logger('VaultRotation');
  private running?: Promise<RotationJobView>;
  private stopping = false;

  constructor(
    private readonly vault: VaultService,
    private readonly store: VaultKeyStore,
    private readonly clock: Clock,
  ) {}

  async rotate(options: RotationOptions = {}): Promise<RotationJobView> {
    return (await this.start(options)).done;
  }

  // Returns once the job is recorded (so an HTTP caller can answer at once); `done` settles when it ends.
  async start(
    options: RotationOptions = {},
  ): Promise<{ job: RotationJobView; done: Promise<RotationJobView> }> {
    this.vault.assertUnsealed();
    if (this.running) throw rotationRunning();
    const runner = this.store.db.createQueryRunner();
    await runner.connect();
    let job: JobRow;
    try {
      const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [
        VAULT_ROTATION_LOCK_ID,
      ]);
      if (!locked) throw rotationRunning();
      try {
        job = await this.openJob(options.reencrypt === true);
      } catch (e) {
        await runner.query('SELECT pg_advisory_unlock($1)', [VAULT_ROTATION_LOCK_ID]);
        throw e;
      }
    } catch (e) {
      await runner.release();
      throw e;
    }
    const done = this.run(job, options, runner).finally(() => {
      this.running = undefined;
    });
    this.running = done;
    done.catch(() => undefined);
    return { job: toView(job), done };
  }

  isRunning(): boolean {
    return this.running !== undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running?.catch(() => undefined);
  }

  async lastJob(): Promise<RotationJobView | null> {
    const rows: JobRow[] = await this.store.db.query(
      `SELECT ${JOB_COLUMNS} FROM vault_rotation_jobs ORDER BY started_at DESC, id DESC LIMIT 1`,
    );
    return rows[0] ? toView(rows[0]) : null;
  }

  async status(): Promise<VaultStatus> {
    const ring = this.vault.keyringSummary();
    const keys = await this.store.listDataKeys(true);
    const columns = await this.allColumns();
    const perKey = new Map<string, number>();
    const columnStatus: SealedColumnStatus[] = [];
    for (const c of columns) {
      const present = await this.store.columnExists(c.table, c.column);
      let total = 0;
      if (present) {
        for (const [keyId, n] of await this.store.countSealedValues(c)) {
          perKey.set(keyId, (perKey.get(keyId) ?? 0) + n);
          total += n;
        }
      }
      columnStatus.push({ table: c.table, column: c.column, present, sealedValues: total });
    }
    const dataKeys: DataKeyStatus[] = keys.map((k) => ({
      id: k.id,
      masterKeyId: k.kekId,
      active: k.active,
      retired: k.retiredAt !== null,
      sealedValues: perKey.get(k.id) ?? 0,
      reservedSeals: k.reservedSeals,
      createdAt: new Date(k.createdAt).toISOString(),
      retiredAt: k.retiredAt ? new Date(k.retiredAt).toISOString() : null,
    }));
    const kekIds = new Set([...ring.ids, ...keys.filter((k) => !k.retiredAt).map((k) => k.kekId)]);
    const masterKeys: MasterKeyStatus[] = [...kekIds].sort().map((id) => {
      const live = dataKeys.filter((k) => !k.retired && k.masterKeyId === id);
      const configured = ring.ids.includes(id);
      const active = ring.activeId === id;
      return {
        id,
        configured,
        active,
        dataKeys: live.length,
        sealedValues: live.reduce((n, k) => n + k.sealedValues, 0),
        canRetire: configured && !active && live.length === 0,
      };
    });
    return {
      sealed: this.vault.isSealed(),
      sealedReason: this.vault.sealedReason(),
      activeMasterKeyId: ring.activeId,
      masterKeySource: ring.source,
      masterKeys,
      dataKeys,
      columns: columnStatus,
      lastRotation: await this.lastJob(),
    };
  }

  private async allColumns(): Promise<SealedColumn[]> {
    const byName = new Map<string, SealedColumn>();
    for (const c of await this.store.listSealedColumns()) byName.set(`${c.table}.${c.column}`, c);
    for (const c of this.vault.registeredColumns()) byName.set(`${c.table}.${c.column}`, c);
    return [...byName.values()].sort((a, b) =>
      `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`),
    );
  }

  // Resumes the unfinished job if there is one (as it was started), else starts a new one.
  private async openJob(reencrypt: boolean): Promise<JobRow> {
    const active = this.vault.activeMasterKey().id;
    const open: JobRow[] = await this.store.db
      .query(
        `UPDATE vault_rotation_jobs SET status = 'running', error = NULL, target_kek_id = $1, updated_at = now()
        WHERE id = (SELECT id FROM vault_rotation_jobs WHERE status <> 'done' ORDER BY started_at DESC LIMIT 1)
        RETURNING ${JOB_COLUMNS}`,
        [active],
      )
      .then((r: [JobRow[], number]) => r[0]);
    if (open[0]) {
      this.logger.log(`resuming rotation job ${open[0].id}`);
      return open[0];
    }
    const rows: JobRow[] = await this.store.db.query(
      `INSERT INTO vault_rotation_jobs (status, reencrypt, target_kek_id, progress)
       VALUES ('running', $1, $2, '{}') RETURNING ${JOB_COLUMNS}`,
      [reencrypt, active],
    );
    return rows[0];
  }

  private async run(job: JobRow, options: RotationOptions, lock: QueryRunner): Promise<RotationJobView> {
    const batchSize = Math.max(1, Math.min(options.batchSize ?? 200, 5000));
    const report = (phase: RotationProgress['phase'], column?: string) =>
      options.onProgress?.({
        jobId: job.id,
        phase,
        rewrapped: job.rewrapped,
        resealed: job.resealed,
        batches: job.batches,
        column,
      });
    try {
      await this.rewrapAll(job, batchSize, options, report);
      if (job.reencrypt) {
        await this.reencryptAll(job, batchSize, options, report);
        report('retire');
        await this.retireUnused(job);
      }
      const rows: JobRow[] = await this.store.db
        .query(
          `UPDATE vault_rotation_jobs SET status = 'done', finished_at = now(), updated_at = now(), progress = $2
            WHERE id = $1 RETURNING ${JOB_COLUMNS}`,
          [job.id, JSON.stringify(job.progress)],
        )
        .then((r: [JobRow[], number]) => r[0]);
      report('done');
      this.logger.log(
        `rotation job ${job.id} done: ${job.rewrapped} data key(s) re-wrapped, ${job.resealed} value(s) re-sealed`,
      );
      return toView(rows[0]);
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      this.logger.error(`rotation job ${job.id} stopped: ${text} (run keys:rotate again to resume)`);
      await this.store.db
        .query(
          `UPDATE vault_rotation_jobs SET status = 'failed', error = $2, updated_at = now() WHERE id = $1`,
          [job.id, text.slice(0, 500)],
        )
        .catch(() => undefined);
      throw e instanceof DomainException
        ? e
        : new DomainException({
            code: VAULT_ERROR_CODES.rotationFailed,
            kind: 'unavailable',
            message: `The rotation stopped: ${text}. Run it again to resume.`,
            details: { jobId: job.id },
          });
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [VAULT_ROTATION_LOCK_ID]).catch(() => undefined);
      await lock.release();
    }
  }

  // Idempotent: only data keys not yet under the active master key are touched.
  private async rewrapAll(
    job: JobRow,
    batchSize: number,
    options: RotationOptions,
    report: (phase: 'rewrap') => void,
  ): Promise<void> {
    const target = this.vault.activeMasterKey();
    for (;;) {
      this.checkStopping();
      const n = await this.store.db.transaction(async (m) => {
        const rows: DataKeyRow[] = await m.query(
          `SELECT id::text AS id, kek_id AS "kekId", wrapped_key AS "wrappedKey" FROM vault_data_keys
            WHERE retired_at IS NULL AND kek_id <> $1 ORDER BY id LIMIT $2 FOR UPDATE`,
          [target.id, batchSize],
        );
        for (const [index, row] of rows.entries()) {
          const old = this.vault.masterKey(row.kekId);
          if (!old)
            throw new Error(
              `data key ${row.id} is wrapped under master key "${row.kekId}", which is not configured`,
            );
          const key = unwrapDataKey(old, row.id, row.wrappedKey as string);
          await options.beforeRowWrite?.({ phase: 'rewrap', index });
          await m.query(
            `UPDATE vault_data_keys SET kek_id = $2, wrapped_key = $3, rewrapped_at = now() WHERE id = $1 AND kek_id = $4`,
            [row.id, target.id, wrapDataKey(target, key), row.kekId],
          );
          key.key.fill(0);
        }
        if (rows.length > 0) {
          await m.query(
            `UPDATE vault_rotation_jobs SET rewrapped = rewrapped + $2, batches = batches + 1, updated_at = now() WHERE id = $1`,
            [job.id, rows.length],
          );
        }
        return rows.length;
      });
      if (n === 0) return;
      job.rewrapped += n;
      job.batches += 1;
      report('rewrap');
    }
  }

  private async reencryptAll(
    job: JobRow,
    batchSize: number,
    options: RotationOptions,
    report: (phase: 'reencrypt', column?: string) => void,
  ): Promise<void> {
    if (!job.targetDekId) {
      const master = this.vault.activeMasterKey();
      const key = generateDataKey();
      await this.store.db.transaction(async (m) => {
        await m.query(
          `UPDATE vault_data_keys SET active = false, deactivated_at = now() WHERE active AND purpose = 'data'`,
        );
        await m.query(
          `INSERT INTO vault_data_keys (id, kek_id, wrapped_key, purpose, active) VALUES ($1, $2, $3, 'data', true)`,
          [key.id, master.id, wrapDataKey(master, key)],
        );
        await m.query(`UPDATE vault_rotation_jobs SET target_dek_id = $2, updated_at = now() WHERE id = $1`, [
          job.id,
          key.id,
        ]);
      });
      job.targetDekId = key.id;
      this.vault.dropLease();
      this.logger.log(`re-encrypting under the new data key ${key.id}`);
    }
    const target = await this.vault.dataKey(job.targetDekId);
    job.progress.columns ??= {};
    for (const column of await this.allColumns()) {
      const name = `${column.table}.${column.column}`;
      const state = (job.progress.columns[name] ??= { after: null, done: false, resealed: 0 });
      if (state.done) continue;
      if (!(await this.store.columnExists(column.table, column.column))) {
        Object.assign(state, { done: true, skipped: 'missing' });
        continue;
      }
      const t = ident(column.table);
      const c = ident(column.column);
      const id = ident(column.idColumn);
      while (!state.done) {
        this.checkStopping();
        const next = { ...state };
        await this.store.db.transaction(async (m) => {
          const where = next.after === null ? '' : `AND ${id} > $2`;
          const params: unknown[] = next.after === null ? [batchSize] : [batchSize, next.after];
          const rows: { id: string; value: string }[] = await m.query(
            `SELECT ${id}::text AS id, ${c} AS value FROM ${t}
              WHERE ${c} IS NOT NULL ${where} ORDER BY ${id} LIMIT $1 FOR UPDATE`,
            params,
          );
          let resealed = 0;
          for (const [index, row] of rows.entries()) {
            const place = { table: column.table, column: column.column, rowId: row.id };
            let plaintext: string;
            try {
              const keyId = parseSealed(row.value).keyId;
              if (keyId === target.id) continue;
              plaintext = openSecret(await this.vault.dataKey(keyId, m), row.value, place);
            } catch (e) {
              // one damaged value must not block the rotation: it is left as it is, counted and logged
              next.unreadable = (next.unreadable ?? 0) + 1;
              this.logger.error(`cannot re-encrypt ${name} row ${row.id}: ${errorReason(e)}`);
              continue;
            }
            await options.beforeRowWrite?.({ phase: 'reencrypt', index });
            await m.query(`UPDATE ${t} SET ${c} = $2 WHERE ${id} = $1`, [
              row.id,
              sealSecret(target, plaintext, place),
            ]);
            resealed += 1;
          }
          next.after = rows.length > 0 ? rows[rows.length - 1].id : next.after;
          next.done = rows.length < batchSize;
          next.resealed += resealed;
          const progress = { ...job.progress, columns: { ...job.progress.columns, [name]: next } };
          await m.query(
            `UPDATE vault_rotation_jobs SET progress = $2, resealed = resealed + $3, batches = batches + 1,
               updated_at = now() WHERE id = $1`,
            [job.id, JSON.stringify(progress), resealed],
          );
          job.resealed += resealed;
        });
        Object.assign(state, next);
        job.batches += 1;
        report('reencrypt', name);
      }
    }
  }

  // Data keys that no registered column uses any more are erased (their wrapped
  // key set to NULL), but only after the grace period, so that a value sealed
  // under a just-replaced key by another instance is not lost.
  private async retireUnused(job: JobRow): Promise<void> {
    const status = await this.status();
    const graceStart = this.clock.now().getTime() - this.vault.options.retireGraceMs;
    const keys = await this.store.listDataKeys();
    const retired: string[] = [];
    for (const key of keys) {
      if (key.active || key.id === job.targetDekId) continue;
      if (!key.deactivatedAt || new Date(key.deactivatedAt).getTime() > graceStart) continue;
      if ((status.dataKeys.find((k) => k.id === key.id)?.sealedValues ?? 0) > 0) continue;
      await this.store.db.query(
        `UPDATE vault_data_keys SET retired_at = now(), wrapped_key = NULL WHERE id = $1 AND NOT active`,
        [key.id],
      );
      this.vault.forgetDataKey(key.id);
      retired.push(key.id);
    }
    job.progress.retired = [...(job.progress.retired ?? []), ...retired];
    if (retired.length > 0) this.logger.log(`retired ${retired.length} unused data key(s)`);
  }

  private checkStopping(): void {
    if (this.stopping) throw new Error('the process is shutting down');
  }
}

function errorReason(e: unknown): string {
  if (e instanceof DomainException) return String(e.details?.reason ?? e.code);
  if (e instanceof EnvelopeError) return e.reason;
  return e instanceof Error ? e.message : String(e);
}

function rotationRunning(): DomainException {
  return new DomainException({
    code: VAULT_ERROR_CODES.rotationRunning,
    kind: 'conflict',
    message: 'A key rotation is already running',
  });
}

function toView(j: JobRow): RotationJobView {
  return {
    id: j.id,
    status: j.status,
    reencrypt: j.reencrypt,
    targetMasterKeyId: j.targetKekId,
    targetDataKeyId: j.targetDekId,
    rewrapped: j.rewrapped,
    resealed: j.resealed,
    batches: j.batches,
    columns: j.progress.columns ?? {},
    retiredDataKeys: j.progress.retired ?? [],
    error: j.error,
    startedAt: new Date(j.startedAt).toISOString(),
    updatedAt: new Date(j.updatedAt).toISOString(),
    finishedAt: j.finishedAt ? new Date(j.finishedAt).toISOString() : null,
  };
}
