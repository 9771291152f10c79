export interface AuditWriterOptions {
  flushMs: number;
  batchSize: number;
  // Fail closed: past this many unwritten events the relay refuses new calls (503) until the
  // backlog is down to half of it again.
  maxPending: number;
}

export interface AuditWriterStats {
  pending: number;
  blocked: boolean;
  written: number;
  failures: number;
  lastError: string | null;
}

// Every relayed call is audited, but not with one database transaction per call: events are
// buffered and written in batches (every flushMs or batchSize events) in one transaction each.
// The trade-off: a crash loses at most the unflushed buffer (≤ flushMs of calls), and a call's
// record lands up to flushMs after its answer. If the database cannot take the writes the
// buffer grows; once it reaches maxPending the relay stops relaying (SECURITY-CHECKLIST T7).
export class RelayAuditWriter<T> {
  private pending: T[] = [];
  private flushing: Promise<void> | null = null;
  private timer?: NodeJS.Timeout;
  private blocked = false;
  private written = 0;
  private failures = 0;
  private lastError: string | null = null;
  private stopped = false;

  constructor(
    private readonly sink: (events: T[]) => Promise<void>,
    private readonly options: AuditWriterOptions,
    private readonly onError: (message: string) => void = () => undefined,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), this.options.flushMs);
    this.timer.unref();
  }

  enqueue(event: T): void {
    this.pending.push(event);
    if (this.pending.length >= this.options.maxPending) this.blocked = true;
    if (this.pending.length >= this.options.batchSize && !this.flushing) void this.flush();
  }

  isBlocked(): boolean {
    return this.blocked;
  }

  stats(): AuditWriterStats {
    return {
      pending: this.pending.length,
      blocked: this.blocked,
      written: this.written,
      failures: this.failures,
      lastError: this.lastError,
    };
  }

  async flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.pending.length === 0) return;
    this.flushing = this.drain().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  // Writes everything that is pending (used on shutdown, and by tests).
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    for (let i = 0; i < 50 && this.pending.length > 0; i++) {
      await this.flush();
      if (this.pending.length > 0 && this.lastError) break;
    }
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.slice(0, this.options.batchSize);
      try {
        await this.sink(batch);
      } catch (e) {
        this.failures++;
        this.lastError = e instanceof Error ? e.message : String(e);
        this.onError(
          `audit batch of ${batch.length} not written (${this.pending.length} pending): ${this.lastError}`,
        );
        return;
      }
      this.pending.splice(0, batch.length);
      this.written += batch.length;
      this.lastError = null;
      if (this.blocked && this.pending.length <= this.options.maxPending / 2) this.blocked = false;
      if (this.stopped && this.pending.length === 0) return;
    }
  }
}
