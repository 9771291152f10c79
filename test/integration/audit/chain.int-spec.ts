import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { AuditChainService, AuditModule, AuditService } from '@app/audit';
import { CommonModule } from '@app/common';
import { BrokerConfigModule } from '@app/config';
import { DatabaseModule } from '@app/database';
import type { INestApplicationContext } from '@nestjs/common';
import { runCli } from '../../../apps/cli/src/run-cli';
import { createTestDatabase, TestDatabase } from '../../utils/test-database';

describe('audit trail hash chain', () => {
  let db: TestDatabase;
  let ctx: INestApplicationContext;
  let audit: AuditService;
  let chain: AuditChainService;
  let ds: DataSource;

  const cli = async (...argv: string[]) => {
    const lines: string[] = [];
    const code = await runCli(argv, (l) => lines.push(l));
    return { code, text: lines.join('\n') };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    Object.assign(process.env, { NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: db.url });
    const mod = await Test.createTestingModule({
      imports: [BrokerConfigModule, CommonModule, DatabaseModule, AuditModule],
    }).compile();
    ctx = await mod.init();
    audit = ctx.get(AuditService);
    chain = ctx.get(AuditChainService);
    ds = ctx.get(DataSource);
    for (let i = 0; i < 12; i++) {
      await audit.record({
        actor: { type: 'operator', id: `op-${i}` },
        action: 'test.event',
        result: 'success',
        metadata: {
          i,
          password: 'canary-Pa55word!',
          nested: { apiKey: 'x', note: 'token obt_abcdefghijklmnop' },
        },
      });
    }
  });
  afterAll(async () => {
    await ctx.close();
    await db.drop();
  });

  it('verifies an untouched chain, with contiguous seq from 1', async () => {
    const r = await chain.verify();
    expect(r).toMatchObject({ ok: true, checked: 12, firstSeq: '1', lastSeq: '12' });
    expect((await cli('audit:verify')).code).toBe(0);
  });

  it('keeps secrets out of the rows', async () => {
    const rows: { metadata: unknown }[] = await ds.query('SELECT metadata FROM audit_events');
    const text = JSON.stringify(rows);
    expect(text).not.toContain('canary-Pa55word!');
    expect(text).not.toContain('obt_abcdefghijklmnop');
    expect(text).toContain('[redacted]');
  });

  it('refuses UPDATE, DELETE and TRUNCATE from the application', async () => {
    await expect(ds.query(`UPDATE audit_events SET action = 'x.y' WHERE seq = 3`)).rejects.toThrow(
      /append-only/,
    );
    await expect(ds.query('DELETE FROM audit_events WHERE seq = 3')).rejects.toThrow(/append-only/);
    await expect(ds.query('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
  });

  it('keeps one chain when many writers append at once', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        audit.record({
          actor: { type: 'system' },
          action: 'test.concurrent',
          result: 'success',
          metadata: { i },
        }),
      ),
    );
    expect(await chain.verify()).toMatchObject({ ok: true, checked: 32 });
  });

  it('stores awkward text as it was hashed: quotes, backslashes, unicode, NUL and lone surrogates', async () => {
    const awkward = 'quote " backslash \\ tab \t newline \n é 漢字 😀 nul \u0000 lone \ud800 end';
    await audit.recordMany(
      Array.from({ length: 3 }, (_, i) => ({
        actor: { type: 'operator' as const, id: `op-awkward-${i}`, label: awkward },
        action: 'test.awkward',
        result: 'success' as const,
        userAgent: awkward,
        metadata: { [awkward]: awkward, nested: { list: [awkward, 1.5, null, true] }, i },
      })),
    );
    expect(await chain.verify()).toMatchObject({ ok: true, checked: 35 });
    const rows: { actor_label: string; user_agent: string; metadata: Record<string, unknown> }[] =
      await ds.query(
        `SELECT actor_label, user_agent, metadata FROM audit_events WHERE action = 'test.awkward' ORDER BY seq`,
      );
    expect(rows).toHaveLength(3);
    const stored = awkward.replace('\u0000', '\ufffd').replace('\ud800', '\ufffd');
    expect(rows[0].actor_label).toBe(stored);
    expect(rows[0].user_agent).toBe(stored);
    expect(rows[2].metadata).toEqual({ [stored]: stored, nested: { list: [stored, 1.5, null, true] }, i: 2 });
  });

  it('writes a batch larger than one INSERT statement as one contiguous, verified stretch of the chain', async () => {
    // 250 events: three statements (100 rows each at most) in one transaction, one occurredAt
    await audit.recordMany(
      Array.from({ length: 250 }, (_, i) => ({
        actor: { type: 'grant' as const, id: `grant-${i % 7}` },
        action: 'relay.call',
        result: 'success' as const,
        metadata: { i },
      })),
    );
    expect(await chain.verify()).toMatchObject({ ok: true, checked: 285, lastSeq: '285' });
    const [range]: { first: string; last: string; n: string; times: string }[] = await ds.query(
      `SELECT min(seq)::text AS first, max(seq)::text AS last, count(*)::text AS n,
              count(DISTINCT occurred_at)::text AS times
         FROM audit_events WHERE action = 'relay.call'`,
    );
    expect(range).toEqual({ first: '36', last: '285', n: '250', times: '1' });
  });

  it('names the first edited row, then the first deleted one', async () => {
    await ds.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
    await ds.query(`UPDATE audit_events SET result = 'failure' WHERE seq = 5`);
    const edited = await cli('audit:verify');
    expect(edited.code).toBe(1);
    expect(edited.text).toContain('seq 5');
    expect((await chain.verify()).problem).toMatchObject({ seq: '5', reason: 'hash_mismatch' });
    await ds.query(`UPDATE audit_events SET result = 'success' WHERE seq = 5`);
    await ds.query('DELETE FROM audit_events WHERE seq = 7');
    await ds.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    expect((await chain.verify()).problem).toMatchObject({ seq: '7', reason: 'missing_rows' });
  });

  it('after a retention purge, verifies from the checkpoint and still catches a deleted first row', async () => {
    // everything so far (including the damaged part) is older than the cutoff
    const r = await chain.purgeOlderThan(new Date(Date.now() + 1000));
    expect(r.purged).toBeGreaterThan(0);
    const after = await chain.verify();
    expect(after).toMatchObject({ ok: true, checked: 1 });
    const rows: { kind: string; action: string }[] = await ds.query('SELECT kind, action FROM audit_events');
    expect(rows).toEqual([{ kind: 'checkpoint', action: 'audit.retention_purged' }]);
    await audit.record({ actor: { type: 'system' }, action: 'test.after_purge', result: 'success' });
    await audit.record({ actor: { type: 'system' }, action: 'test.after_purge', result: 'success' });
    expect(await chain.verify()).toMatchObject({ ok: true, checked: 3 });
    const [{ seq }]: { seq: string }[] = await ds.query(`SELECT min(seq)::text AS seq FROM audit_events`);
    await ds.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
    await ds.query('DELETE FROM audit_events WHERE seq = $1', [seq]);
    await ds.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    // the checkpoint itself is gone, so the chain no longer starts where any anchor says
    expect(await chain.verify()).toMatchObject({ ok: false, problem: { reason: 'bad_start' } });
  });
});
