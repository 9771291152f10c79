// The embedded engine is one PGlite backend behind PGLiteSocketServer, which queues the
// connections' protocol messages one at a time. It keeps a transaction's messages
// together, but not an extended-protocol batch (Parse, Bind, Describe, Execute ... Sync,
// what pg sends for every parameterised query): another connection's Parse could land
// between a Parse and its Bind, so a query failed ("prepared statement does not exist",
// protocol violation) or, worse, ran the other connection's statement. This keeps each
// connection's batch together up to its Sync, and keeps the queue going after an error
// (the library's loop stops for good when a message throws).

interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  resolve(bytes: number): void;
  reject(e: unknown): void;
  onData(data: Uint8Array): void;
}

interface QueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  db: {
    isInTransaction(): boolean;
    runExclusive<T>(fn: () => Promise<T>): Promise<T>;
    execProtocolRawStream(message: Uint8Array, options: { onRawData(data: Uint8Array): void }): Promise<void>;
  };
  processQueue(): Promise<void>;
  clearTransactionIfNeeded(handlerId: number): Promise<void>;
}

// Messages after which a connection's batch is over: Sync, simple Query, Terminate; a
// startup packet (no type byte: its length's first byte is 0) stands alone too.
const BATCH_END = new Set([0x53, 0x51, 0x58, 0x00]);

export function keepExtendedProtocolBatchesTogether(server: object): void {
  const q = (server as { queryQueue?: QueryQueue }).queryQueue;
  if (!q || !Array.isArray(q.queue) || typeof q.processQueue !== 'function') {
    throw new Error('PGLiteSocketServer internals changed: review embedded-socket-queue.ts');
  }
  let midBatch = false;
  q.processQueue = async function processQueue(this: QueryQueue): Promise<void> {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        let item: QueuedMessage | undefined;
        if ((midBatch || this.db.isInTransaction()) && this.lastHandlerId !== null) {
          const i = this.queue.findIndex((m) => m.handlerId === this.lastHandlerId);
          if (i === -1) break; // the pinned connection's next message has not arrived yet
          item = this.queue.splice(i, 1)[0];
        } else {
          item = this.queue.shift();
        }
        if (!item) break;
        const current = item;
        let bytes = 0;
        this.lastHandlerId = current.handlerId;
        midBatch = !BATCH_END.has(current.message[0]);
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(current.message, {
              onRawData: (data) => {
                bytes += data.length;
                current.onData(data);
              },
            }),
          );
        } catch (e) {
          midBatch = false;
          current.reject(e);
          continue;
        }
        current.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  };
  // a connection that goes away mid-batch must not keep the queue pinned to it
  const clear = q.clearTransactionIfNeeded.bind(q);
  q.clearTransactionIfNeeded = async (handlerId: number) => {
    if (midBatch && q.lastHandlerId === handlerId) midBatch = false;
    await clear(handlerId);
    await q.processQueue();
  };
}
