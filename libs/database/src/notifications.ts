import { EventEmitter } from 'node:events';
import { Client, type ClientConfig } from 'pg';

const BUS_KEY = Symbol.for('ovh-broker.database-notifications');
type GlobalWithBus = typeof globalThis & { [BUS_KEY]?: EventEmitter };

// NOTIFY messages received by the pooled connections of this process, as
// ('notification', channel, payload). On a PostgreSQL server a pooled connection
// never LISTENs, so nothing arrives here (listeners use connections of their own).
// The embedded engine is one backend session: a notification goes to whichever
// connection committed it, so this bus is how it reaches the process's listeners.
export function databaseNotifications(): EventEmitter {
  const g = globalThis as GlobalWithBus;
  if (!g[BUS_KEY]) {
    g[BUS_KEY] = new EventEmitter();
    g[BUS_KEY].setMaxListeners(0);
  }
  return g[BUS_KEY];
}

// The pool's client class (buildTypeOrmOptions): forwards what it receives to the bus.
export class NotificationForwardingClient extends Client {
  constructor(config?: string | ClientConfig) {
    super(config);
    this.on('notification', (n) => databaseNotifications().emit('notification', n.channel, n.payload));
  }
}
