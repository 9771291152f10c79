import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnModuleDestroy,
  OnModuleInit,
  Optional,
} from '@nestjs/common';
import { AuditService, type PreparedAuditEvent } from '@app/audit';
import { Clock, ReadinessService } from '@app/common';
import { ConsumerKeysService } from '@app/consumer-keys';
import { MetricsService } from '@app/observability';
import { OvhUpstreamClient } from '@app/ovh-protocol';
import { CircuitBreakerRegistry, type CircuitSnapshot } from './circuit-breaker';
import { RelayAuditWriter, type AuditWriterStats } from './relay-audit.writer';
import { RelayHandler } from './relay-handler';
import { RelayInvalidationListener } from './relay-invalidation.listener';
import { RelayLookups } from './relay-lookups.service';
import { RelayRateLimits } from './relay-rate-limits';
import { RELAY_SETTINGS, type RelaySettings } from './relay-settings';

export interface RelayStatus {
  breakers: CircuitSnapshot[];
  cache: Record<string, number>;
  audit: AuditWriterStats;
  invalidationListener: 'live' | 'down';
  // upstream calls in flight (the per-account bulkhead's counters)
  inFlight: { calls: number; accounts: number; maxPerAccount: number };
}

// Owns the relay's moving parts (upstream pool, caches, limits, breakers, audit buffer) and
// exposes one request handler for the app to mount before Nest's router.
@Injectable()
export class RelayService implements OnModuleInit, BeforeApplicationShutdown, OnModuleDestroy {
  private readonly logger = new Logger('Relay');
  readonly upstream: OvhUpstreamClient;
  readonly breakers: CircuitBreakerRegistry;
  readonly rateLimits: RelayRateLimits;
  readonly audit: RelayAuditWriter<PreparedAuditEvent>;
  private readonly handler: RelayHandler;
  private closed = false;

  constructor(
    @Inject(RELAY_SETTINGS) readonly settings: RelaySettings,
    private readonly lookups: RelayLookups,
    private readonly listener: RelayInvalidationListener,
    private readonly consumerKeys: ConsumerKeysService,
    private readonly auditService: AuditService,
    private readonly readiness: ReadinessService,
    private readonly clock: Clock,
    @Optional() metrics?: MetricsService,
  ) {
    const now = () => this.clock.now().getTime();
    this.upstream = new OvhUpstreamClient({
      clock: now,
      connectTimeoutMs: settings.upstreamConnectTimeoutMs,
      headersTimeoutMs: settings.upstreamTimeoutMs,
      bodyTimeoutMs: settings.upstreamTimeoutMs,
      connectionsPerOrigin: settings.upstreamConnections,
      maxBufferedResponseBytes: settings.maxResponseBytes,
    });
    this.breakers = new CircuitBreakerRegistry({
      failureThreshold: settings.breakerFailureThreshold,
      cooldownMs: settings.breakerCooldownMs,
      onStateChange: (state, breaker) =>
        metrics?.breakerState(breaker.host, state === 'half-open' ? 'half_open' : state),
    });
    this.rateLimits = new RelayRateLimits({
      ckPointsPerMinute: settings.ckRateLimitPerMinute,
      ...(settings.redisUrl ? { redisUrl: settings.redisUrl } : {}),
    });
    this.audit = new RelayAuditWriter(
      (events) => this.auditService.recordPrepared(events),
      {
        flushMs: settings.auditFlushMs,
        batchSize: settings.auditBatchSize,
        maxPending: settings.auditMaxPending,
      },
      (message) => this.logger.error(message),
    );
    this.handler = new RelayHandler({
      settings,
      lookups,
      rateLimits: this.rateLimits,
      breakers: this.breakers,
      audit: this.audit,
      prepareAudit: (event) => this.auditService.prepare(event),
      upstream: this.upstream,
      now,
      isShuttingDown: () => this.readiness.isShuttingDown(),
      reportCredentialError: (id, kind) => {
        this.consumerKeys
          .markUpstreamCredentialError(id, kind)
          .catch((e: unknown) =>
            this.logger.error(
              `could not mark consumer key ${id}: ${e instanceof Error ? e.message : String(e)}`,
            ),
          );
      },
      log: (level, message) => (level === 'warn' ? this.logger.warn(message) : this.logger.error(message)),
      metrics: metrics && {
        upstreamCall: (outcome, host, ms) => metrics.relayCall(outcome, host, ms),
        rateLimited: (scope) => metrics.rateLimitRefused(scope),
      },
    });
  }

  onModuleInit(): void {
    this.audit.start();
    this.readiness.register('relay', async () => {
      const audit = this.audit.stats();
      const ok = !audit.blocked;
      return {
        ok,
        detail: {
          auditPending: audit.pending,
          auditBlocked: audit.blocked,
          invalidationListener: this.listener.isLive() ? 'live' : 'down',
        },
      };
    });
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => this.handler.handle(req, res);

  status(): RelayStatus {
    return {
      breakers: this.breakers.snapshot(),
      cache: this.lookups.stats(),
      audit: this.audit.stats(),
      invalidationListener: this.listener.isLive() ? 'live' : 'down',
      inFlight: this.handler.inFlightStats(),
    };
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.audit.stop();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.audit.stop();
    await this.upstream.close();
    await this.rateLimits.close();
  }
}
