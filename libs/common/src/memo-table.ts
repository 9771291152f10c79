// What `create` gave for a key, kept for the first `maxEntries` distinct keys (later keys are
// computed every time, so a flood of distinct keys never grows memory). For hot paths that see
// the same few keys over and over: metadata keys, metric label sets.
export class MemoTable<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly maxEntries: number) {}

  get(key: string, create: (key: string) => V): V {
    let value = this.entries.get(key);
    if (value === undefined) {
      value = create(key);
      if (this.entries.size < this.maxEntries) this.entries.set(key, value);
    }
    return value;
  }
}
