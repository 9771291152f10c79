import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '@app/common';
import type { EnvironmentVariables } from '@app/config';
import { AuditRowContent, chainHash, GENESIS_HASH } from './audit-hash';
import { AUDIT_CHAIN_LOCK_ID, AuditService } from './audit.service';

export interface ChainProblem {
  seq: string;
  reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'missing_rows' | 'bad_start';
  detail: string;
}

export interface ChainReport {
  ok: boolean;
  checked: number;
  firstSeq: string | null;
  lastSeq: string | null;
  headHash: string | null;
  problem?: ChainProblem;
}

export interface PurgeResult {
  purged: number;
  throughSeq: string | null;
}

interface RawRow {
  seq: string;
  occurred_at: Date;
  kind: 'event' | 'checkpoint';
  actor_type: string;
  actor_id: string | null;
  actor_label: string | null;
  action: string;
  object_type: string | null;
  object_id: string | null;
  account_id: string | null;
  result: string;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  metadata: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

const PURGE_INTERVAL_MS = 60 * 60 * 1000;
const PURGE_JOB_LOCK_ID = '7310025066416403202';

function contentOf(r: RawRow): AuditRowContent {
  return {
    seq: r.seq,
    occurredAt: new Date(r.occurred_at).toISOString(),
    kind: r.kind,
    actorType: r.actor_type,
    actorId: r.actor_id,
    actorLabel: r.actor_label,
    action: r.action,
    objectType: r.object_type,
    objectId: r.object_id,
    accountId: r.account_id,
    result: r.result,
    ip: r.ip,
    userAgent: r.user_agent,
    requestId: r.request_id,
    metadata: r.metadata,
  };
}

// Verification and retention of the hash chain. A purge deletes the oldest rows
// and appends a checkpoint naming the new first seq and the hash it must chain
// from, so verification still works from the new start.
@Injectable()
export class AuditChainService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditRetention');
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly config: ConfigService<EnvironmentVariables, true>,
  ) {}

  async verify(batchSize = 1000): Promise<ChainReport> {
    const anchor = await this.startAnchor();
    let expectedSeq = anchor.seq;
    let expectedPrev = anchor.prevHash;
    let checked = 0;
    let firstSeq: string | null = null;
    let lastSeq: string | null = null;
    let after = '0';
    for (;;) {
      const rows: RawRow[] = await this.dataSource.query(
        `SELECT seq::text AS seq, occurred_at, kind, actor_type, actor_id, actor_label, action, object_type, object_id,
                account_id, result, ip, user_agent, request_id, metadata, prev_hash, hash
         FROM audit_events e WHERE e.seq > $1 ORDER BY e.seq ASC LIMIT $2`,
        [after, batchSize],
      );
      for (const r of rows) {
        firstSeq ??= r.seq;
        const report = (problem: ChainProblem): ChainReport => ({
          ok: false,
          checked,
          firstSeq,
          lastSeq,
          headHash: expectedPrev,
          problem,
        });
        if (BigInt(r.seq) !== expectedSeq) {
          return report(
            checked === 0
              ? {
                  seq: expectedSeq.toString(),
                  reason: 'bad_start',
                  detail: `the chain should start at seq ${expectedSeq} but starts at ${r.seq}`,
                }
              : {
                  seq: expectedSeq.toString(),
                  reason: 'missing_rows',
                  detail: `rows ${expectedSeq}..${BigInt(r.seq) - 1n} are missing`,
                },
          );
        }
        if (r.prev_hash !== expectedPrev) {
          return report({
            seq: r.seq,
            reason: 'prev_hash_mismatch',
            detail: 'prev_hash does not match the previous row',
          });
        }
        if (chainHash(r.prev_hash, contentOf(r)) !== r.hash) {
          return report({
            seq: r.seq,
            reason: 'hash_mismatch',
            detail: 'the row content does not match its hash',
          });
        }
        expectedPrev = r.hash;
        expectedSeq += 1n;
        lastSeq = r.seq;
        checked += 1;
      }
      if (rows.length < batchSize) break;
      after = rows[rows.length - 1].seq;
    }
    return { ok: true, checked, firstSeq, lastSeq, headHash: checked > 0 ? expectedPrev : null };
  }

  // Where the chain must start: seq 1 from the genesis hash, or where the latest
  // purge checkpoint says the remaining rows begin.
  private async startAnchor(): Promise<{ seq: bigint; prevHash: string }> {
    const cps: { metadata: { purgedThroughSeq?: unknown; anchorHash?: unknown } }[] =
      await this.dataSource.query(
        `SELECT metadata FROM audit_events WHERE kind = 'checkpoint' ORDER BY seq DESC LIMIT 1`,
      );
    const cp = cps[0]?.metadata;
    if (cp && typeof cp.purgedThroughSeq === 'string' && typeof cp.anchorHash === 'string') {
      return { seq: BigInt(cp.purgedThroughSeq) + 1n, prevHash: cp.anchorHash };
    }
    return { seq: 1n, prevHash: GENESIS_HASH };
  }

  async purgeOlderThan(cutoff: Date): Promise<PurgeResult> {
    return this.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK_ID]);
      // Purge a contiguous prefix: rows up to the last one older than the cutoff.
      const edge: { seq: string | null }[] = await m.query(
        `SELECT max(seq)::text AS seq FROM audit_events WHERE occurred_at < $1`,
        [cutoff],
      );
      const through = edge[0]?.seq;
      if (!through) return { purged: 0, throughSeq: null };
      const anchor: { hash: string }[] = await m.query('SELECT hash FROM audit_events WHERE seq = $1', [
        through,
      ]);
      const counted: { n: number }[] = await m.query(
        'SELECT count(*)::int AS n FROM audit_events WHERE seq <= $1',
        [through],
      );
      const purged = counted[0]?.n ?? 0;
      // The checkpoint goes first, chained to the current head, so the chain never restarts from genesis.
      await this.audit.appendCheckpoint(m, {
        purgedThroughSeq: through,
        anchorHash: anchor[0].hash,
        purgedCount: purged,
        cutoff: cutoff.toISOString(),
      });
      await m.query(`SELECT set_config('broker.audit_purge', 'on', true)`);
      await m.query('DELETE FROM audit_events WHERE seq <= $1', [through]);
      await m.query(`SELECT set_config('broker.audit_purge', 'off', true)`);
      return { purged, throughSeq: through };
    });
  }

  async purgeExpired(): Promise<PurgeResult> {
    const days = this.config.get('AUDIT_RETENTION_DAYS', { infer: true });
    if (!days) return { purged: 0, throughSeq: null };
    return this.purgeOlderThan(new Date(this.clock.now().getTime() - days * 86_400_000));
  }

  onApplicationBootstrap(): void {
    if (!this.config.get('AUDIT_RETENTION_DAYS', { infer: true })) return;
    this.timer = setInterval(() => void this.runPurgeJob(), PURGE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  // One instance purges at a time (session advisory lock, skipped if taken).
  private async runPurgeJob(): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      const got: { ok: boolean }[] = await runner.query('SELECT pg_try_advisory_lock($1) AS ok', [
        PURGE_JOB_LOCK_ID,
      ]);
      if (!got[0]?.ok) return;
      try {
        const r = await this.purgeExpired();
        if (r.purged > 0) this.logger.log(`Purged ${r.purged} audit row(s) through seq ${r.throughSeq}`);
      } finally {
        await runner.query('SELECT pg_advisory_unlock($1)', [PURGE_JOB_LOCK_ID]);
      }
    } catch (e) {
      this.logger.warn(`Audit retention purge failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      await runner.release();
    }
  }
}
