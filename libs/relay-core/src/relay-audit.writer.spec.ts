import type { AuditEventInput } from '@app/audit';
import { RelayAuditWriter } from './relay-audit.writer';

const event = (i: number): AuditEventInput => ({
  actor: { type: 'grant', id: `g${i}` },
  action: 'relay.call',
  result: 'success',
});

describe(RelayAuditWriter.name, () => {
  it('writes in batches of at most batchSize', async () => {
    const batches: number[] = [];
    const sut = new RelayAuditWriter<AuditEventInput>(async (e) => void batches.push(e.length), {
      flushMs: 1000,
      batchSize: 3,
      maxPending: 100,
    });
    for (let i = 0; i < 7; i++) sut.enqueue(event(i));
    await sut.stop();
    expect(batches.reduce((a, b) => a + b, 0)).toBe(7);
    expect(Math.max(...batches)).toBeLessThanOrEqual(3);
    expect(sut.stats()).toMatchObject({ pending: 0, written: 7 });
  });

  it('fails closed: blocks once the unwritten backlog reaches the bound, and reopens when it drains', async () => {
    let down = true;
    const sut = new RelayAuditWriter<AuditEventInput>(
      async () => {
        if (down) throw new Error('connection refused');
      },
      { flushMs: 1000, batchSize: 10, maxPending: 20 },
    );
    for (let i = 0; i < 19; i++) sut.enqueue(event(i));
    await sut.flush();
    expect(sut.isBlocked()).toBe(false);
    sut.enqueue(event(19));
    await sut.flush();
    expect(sut.isBlocked()).toBe(true);
    expect(sut.stats()).toMatchObject({
      pending: 20,
      failures: expect.any(Number),
      lastError: 'connection refused',
    });

    down = false;
    await sut.flush();
    expect(sut.isBlocked()).toBe(false);
    expect(sut.stats().pending).toBe(0);
  });

  it('keeps events in order across a failed flush', async () => {
    const seen: string[] = [];
    let fail = true;
    const sut = new RelayAuditWriter<AuditEventInput>(
      async (events) => {
        if (fail) {
          fail = false;
          throw new Error('boom');
        }
        seen.push(...events.map((e) => e.actor.id as string));
      },
      { flushMs: 1000, batchSize: 2, maxPending: 100 },
    );
    for (let i = 0; i < 5; i++) sut.enqueue(event(i));
    await sut.flush();
    await sut.flush();
    expect(seen).toEqual(['g0', 'g1', 'g2', 'g3', 'g4']);
  });
});
