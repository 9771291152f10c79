import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Clock, DomainException } from '@app/common';
import { AuditEventEntity } from './audit-event.entity';
import { chainHashOfText, GENESIS_HASH, type PreparedRowText, prepareRowText, rowText } from './audit-hash';
import type { AuditEventInput } from './audit.types';
import { sanitizeMetadata, sanitizeText } from './sanitize';

// One lock id for every append, so concurrent writers (any instance) queue and
// the chain never forks. Held until the caller's transaction ends.
export const AUDIT_CHAIN_LOCK_ID = '7310025066416403201';

const ACTION = /^[a-z][a-z0-9_]*(\.[a-z0-9][a-z0-9_]*)+$/;

export interface AuditFilters {
  actorType?: string;
  actorId?: string;
  action?: string; // exact, or a prefix ending in '.*' (e.g. 'auth.*')
  accountId?: string;
  objectType?: string;
  objectId?: string;
  result?: string;
  from?: Date;
  to?: Date;
}

// An event checked, sanitised and turned into its row text (all but seq and time), ready to be
// chained: see AuditService.prepare.
export interface PreparedAuditEvent {
  readonly text: PreparedRowText;
}

// A row travels to PostgreSQL as its canonical text (the very JSON that is hashed) plus its two
// hashes, in one JSON array parameter per statement: one string for the driver to send instead
// of 17 bind parameters a row, and a short statement for the server to parse.
const ROW_COLUMNS = `"seq" bigint, "occurredAt" timestamptz, "kind" text, "actorType" text, "actorId" text,
  "actorLabel" text, "action" text, "objectType" text, "objectId" text, "accountId" text, "result" text,
  "ip" text, "userAgent" text, "requestId" text, "metadata" jsonb, "prevHash" text, "hash" text`;
const INSERT_ROWS = `INSERT INTO audit_events (seq, occurred_at, kind, actor_type, actor_id, actor_label, action,
    object_type, object_id, account_id, result, ip, user_agent, request_id, metadata, prev_hash, hash)
  SELECT r."seq", r."occurredAt", r."kind", r."actorType", r."actorId", r."actorLabel", r."action",
    r."objectType", r."objectId", r."accountId", r."result", r."ip", r."userAgent", r."requestId",
    r."metadata", r."prevHash", r."hash"
  FROM json_to_recordset($1::json) AS r(${ROW_COLUMNS})
  ORDER BY r."seq"`;
// A statement's JSON parameter stays under V8's large-object size (128 KiB, about 150 rows): a
// bigger string is allocated straight into the old generation and only a full (mark-compact)
// collection frees it, which at a few thousand relayed calls a second stalls the relay more often.
const ROWS_PER_STATEMENT = 100;

export interface AuditPage {
  items: AuditEventEntity[];
  nextCursor: string | null;
}

@Injectable()
export class AuditService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  // Written in the caller's transaction when a manager is given, so the change and
  // its record commit or fail together; if the write fails, the operation fails.
  async record(event: AuditEventInput, manager?: EntityManager): Promise<void> {
    const m = manager ?? this.dataSource.manager;
    if (m.queryRunner?.isTransactionActive) {
      await this.append(m, event);
      return;
    }
    await m.transaction((tx) => this.append(tx, event));
  }

  // Several events in one transaction with one chain-lock round and one multi-row INSERT, for
  // high-volume writers. Same checks and hashing as record().
  async recordMany(events: AuditEventInput[], manager?: EntityManager): Promise<void> {
    await this.recordPrepared(
      events.map((e) => this.prepare(e)),
      manager,
    );
  }

  // Checks and sanitises an event and renders its row text, outside any transaction: the relay
  // does it as each call ends, so that its batched appends (recordPrepared) hold the chain lock
  // only to number, hash and insert.
  prepare(event: AuditEventInput, kind: 'event' | 'checkpoint' = 'event'): PreparedAuditEvent {
    if (!ACTION.test(event.action)) {
      throw new DomainException({
        code: 'AUDIT_INVALID_ACTION',
        kind: 'invalid',
        message: `Audit action "${event.action.slice(0, 64)}" is not a dotted lowercase code`,
      });
    }
    const metadata = sanitizeMetadata(event.metadata);
    const content = {
      kind,
      actorType: event.actor.type,
      actorId: sanitizeText(event.actor.id, 128),
      actorLabel: sanitizeText(event.actor.label, 256),
      action: event.action,
      objectType: sanitizeText(event.objectType, 64),
      objectId: sanitizeText(event.objectId, 256),
      accountId: sanitizeText(event.accountId, 128),
      result: event.result,
      ip: sanitizeText(event.ip, 64),
      userAgent: sanitizeText(event.userAgent, 256),
      requestId: sanitizeText(event.requestId, 128),
      metadata,
    };
    return { text: prepareRowText(content) };
  }

  async recordPrepared(events: PreparedAuditEvent[], manager?: EntityManager): Promise<void> {
    if (events.length === 0) return;
    const m = manager ?? this.dataSource.manager;
    if (m.queryRunner?.isTransactionActive) {
      await this.appendMany(m, events);
      return;
    }
    await m.transaction((tx) => this.appendMany(tx, events));
  }

  private async append(m: EntityManager, event: AuditEventInput, kind: 'event' | 'checkpoint' = 'event') {
    await this.appendMany(m, [this.prepare(event, kind)]);
  }

  private async appendMany(m: EntityManager, events: PreparedAuditEvent[]) {
    await m.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK_ID]);
    const last: { seq: string; hash: string }[] = await m.query(
      'SELECT e.seq::text AS seq, e.hash FROM audit_events e ORDER BY e.seq DESC LIMIT 1',
    );
    let prevHash = last[0]?.hash ?? GENESIS_HASH;
    let seq = last[0] ? BigInt(last[0].seq) : 0n;
    const occurredAt = this.clock.now().toISOString();
    let rows: string[] = [];
    for (const event of events) {
      seq += 1n;
      const text = rowText(event.text, occurredAt, seq.toString());
      const hash = chainHashOfText(prevHash, text);
      rows.push(`${text.slice(0, -1)},"hash":"${hash}","prevHash":"${prevHash}"}`);
      prevHash = hash;
      if (rows.length >= ROWS_PER_STATEMENT) {
        await m.query(INSERT_ROWS, [`[${rows.join(',')}]`]);
        rows = [];
      }
    }
    if (rows.length > 0) await m.query(INSERT_ROWS, [`[${rows.join(',')}]`]);
  }

  async list(filters: AuditFilters, cursor: string | undefined, limit: number): Promise<AuditPage> {
    const qb = this.filtered(filters)
      .orderBy('e.seq', 'DESC')
      .take(limit + 1);
    if (cursor) qb.andWhere('e.seq < :cursor', { cursor });
    const rows = await qb.getMany();
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].seq : null };
  }

  // Oldest first, in keyset batches, so an export of millions of rows streams in constant memory.
  async *stream(filters: AuditFilters, batchSize = 500): AsyncGenerator<AuditEventEntity> {
    let after = '0';
    for (;;) {
      const rows = await this.filtered(filters)
        .andWhere('e.seq > :after', { after })
        .orderBy('e.seq', 'ASC')
        .take(batchSize)
        .getMany();
      for (const r of rows) yield r;
      if (rows.length < batchSize) return;
      after = rows[rows.length - 1].seq;
    }
  }

  private filtered(f: AuditFilters) {
    const qb = this.dataSource.getRepository(AuditEventEntity).createQueryBuilder('e').where('TRUE');
    if (f.actorType) qb.andWhere('e.actorType = :actorType', { actorType: f.actorType });
    if (f.actorId) qb.andWhere('e.actorId = :actorId', { actorId: f.actorId });
    if (f.action?.endsWith('.*')) {
      qb.andWhere('e.action LIKE :actionPrefix', {
        actionPrefix: `${f.action.slice(0, -2).replace(/[%_\\]/g, '\\$&')}.%`,
      });
    } else if (f.action) qb.andWhere('e.action = :action', { action: f.action });
    if (f.accountId) qb.andWhere('e.accountId = :accountId', { accountId: f.accountId });
    if (f.objectType) qb.andWhere('e.objectType = :objectType', { objectType: f.objectType });
    if (f.objectId) qb.andWhere('e.objectId = :objectId', { objectId: f.objectId });
    if (f.result) qb.andWhere('e.result = :result', { result: f.result });
    if (f.from) qb.andWhere('e.occurredAt >= :from', { from: f.from });
    if (f.to) qb.andWhere('e.occurredAt < :to', { to: f.to });
    return qb;
  }

  // Internal to the audit lib (retention): appends a checkpoint in the purge's transaction.
  async appendCheckpoint(m: EntityManager, metadata: Record<string, unknown>): Promise<void> {
    await this.append(
      m,
      { actor: { type: 'system' }, action: 'audit.retention_purged', result: 'success', metadata },
      'checkpoint',
    );
  }
}
