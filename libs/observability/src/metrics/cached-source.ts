// A value loaded on scrape (usually a small SQL query), reused for `ttlMs` so a
// busy scraper or several of them cost one query per period. A load that fails
// or takes longer than `timeoutMs` leaves the last good value in place, so
// /metrics stays fast while the database is down.
export class CachedSource<T> {
  private value: T | undefined;
  private loadedAt = -Infinity;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly timeoutMs: number,
    private readonly onError: (e: unknown) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<T | undefined> {
    if (this.now() - this.loadedAt >= this.ttlMs) {
      this.inFlight ??= this.refresh().finally(() => (this.inFlight = undefined));
      await this.inFlight;
    }
    return this.value;
  }

  private async refresh(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      this.value = await Promise.race([this.load(), timeout]);
      this.loadedAt = this.now();
    } catch (e) {
      // retry on the next scrape, but not on every concurrent one
      this.loadedAt = this.now() - this.ttlMs + Math.min(this.ttlMs, 1000);
      this.onError(e);
    } finally {
      clearTimeout(timer);
    }
  }
}
