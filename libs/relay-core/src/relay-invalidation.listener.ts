import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Client } from 'pg';
import {
  INVALIDATION_CHANNEL,
  type InvalidationMessage,
  localInvalidationBus,
  parseInvalidation,
} from '@app/grants';
import { RELAY_SETTINGS, type RelaySettings } from './relay-settings';

export type InvalidationHandler = (message: InvalidationMessage) => void;

// LISTENs on a dedicated connection (not the pool: a pooled client may be handed to a query).
// While that connection is down the relay cannot hear revocations, so it reports itself
// "not live" and the caches fall back to a one-second TTL. Without DATABASE_URL (embedded PGlite,
// one instance) NOTIFY is not delivered between connections: the in-process bus is enough.
@Injectable()
export class RelayInvalidationListener implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('RelayInvalidation');
  private readonly handlers = new Set<InvalidationHandler>();
  private client?: Client;
  private live: boolean;
  private stopped = false;
  private retryTimer?: NodeJS.Timeout;
  private readonly onLocal = (message: InvalidationMessage) => this.dispatch(message);

  constructor(@Inject(RELAY_SETTINGS) private readonly settings: RelaySettings) {
    this.live = !settings.databaseUrl;
  }

  async onModuleInit(): Promise<void> {
    localInvalidationBus().on('invalidate', this.onLocal);
    if (this.settings.databaseUrl) await this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    localInvalidationBus().off('invalidate', this.onLocal);
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => undefined);
  }

  subscribe(handler: InvalidationHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  isLive(): boolean {
    return this.live;
  }

  private dispatch(message: InvalidationMessage): void {
    for (const handler of this.handlers) handler(message);
  }

  private async connect(): Promise<void> {
    if (this.stopped || !this.settings.databaseUrl) return;
    const client = new Client({
      connectionString: this.settings.databaseUrl,
      application_name: 'ovh-broker-relay-listener',
      connectionTimeoutMillis: 5000,
      keepAlive: true,
    });
    client.on('notification', (n) => {
      if (n.channel !== INVALIDATION_CHANNEL) return;
      const message = parseInvalidation(n.payload);
      if (message) this.dispatch(message);
    });
    client.on('error', (e) => this.lost(client, e));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${INVALIDATION_CHANNEL}`);
      if (this.stopped) {
        await client.end();
        return;
      }
      this.client = client;
      this.live = true;
      // Anything may have changed while nobody was listening.
      this.dispatch({ topic: 'all', id: '*' });
    } catch (e) {
      this.lost(client, e);
    }
  }

  private lost(client: Client, error?: unknown): void {
    if (this.client && this.client !== client) return;
    const wasLive = this.live;
    this.live = false;
    this.client = undefined;
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    this.dispatch({ topic: 'all', id: '*' });
    if (this.stopped) return;
    if (wasLive) {
      this.logger.warn(
        `Invalidation listener lost (${error instanceof Error ? error.message : 'connection ended'}); caches on a 1 s TTL until it is back`,
      );
    }
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), 1000);
    this.retryTimer.unref();
  }
}
