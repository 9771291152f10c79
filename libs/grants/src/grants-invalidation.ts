import { EventEmitter } from 'node:events';
import type { EntityManager } from 'typeorm';
import { databaseNotifications } from '@app/database';

// Cross-instance cache invalidation. Writers call pg_notify inside their transaction (so it is
// delivered on commit, to every instance LISTENing on the channel) and, after commit, the
// in-process bus (the embedded PGlite engine does not deliver NOTIFY between connections, and
// several apps may share one process). Payload: "<topic>:<id>", e.g. "grant:<uuid>".
export const INVALIDATION_CHANNEL = 'broker_invalidate';

export type InvalidationTopic = 'grant' | 'consumer_key' | 'application' | 'all';

export interface InvalidationMessage {
  topic: InvalidationTopic;
  id: string;
}

const TOPICS: readonly InvalidationTopic[] = ['grant', 'consumer_key', 'application', 'all'];

export function formatInvalidation(message: InvalidationMessage): string {
  return `${message.topic}:${message.id}`;
}

export function parseInvalidation(payload: string | undefined): InvalidationMessage | null {
  if (!payload) return null;
  const colon = payload.indexOf(':');
  if (colon < 0) return null;
  const topic = payload.slice(0, colon) as InvalidationTopic;
  const id = payload.slice(colon + 1);
  if (!TOPICS.includes(topic) || id.length === 0 || id.length > 128) return null;
  return { topic, id };
}

const BUS_KEY = Symbol.for('ovh-broker.invalidation-bus');
type GlobalWithBus = typeof globalThis & { [BUS_KEY]?: EventEmitter };

export function localInvalidationBus(): EventEmitter {
  const g = globalThis as GlobalWithBus;
  if (!g[BUS_KEY]) {
    const bus = new EventEmitter();
    bus.setMaxListeners(0);
    g[BUS_KEY] = bus;
    // NOTIFY that reached this process's pooled connections: on the embedded engine that is
    // where every trigger's notification lands (the committing connection), so a change made
    // by any writer (not only those publishing here) still reaches the relay's caches.
    databaseNotifications().on('notification', (channel: string, payload?: string) => {
      if (channel !== INVALIDATION_CHANNEL) return;
      const message = parseInvalidation(payload);
      if (message) bus.emit('invalidate', message);
    });
  }
  return g[BUS_KEY];
}

export async function notifyInvalidation(
  manager: EntityManager,
  message: InvalidationMessage,
): Promise<void> {
  await manager.query('SELECT pg_notify($1, $2)', [INVALIDATION_CHANNEL, formatInvalidation(message)]);
}

export function publishLocalInvalidation(message: InvalidationMessage): void {
  localInvalidationBus().emit('invalidate', message);
}
