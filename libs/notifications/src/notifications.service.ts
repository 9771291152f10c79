import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { Agent } from 'undici';
import { Clock, DomainException } from '@app/common';
import type { EnvironmentVariables } from '@app/config';
import { AuditService, type AuditContext } from '@app/audit';
import { VaultService } from '@app/vault';
import { JobRunner } from '@app/jobs';
import { MetricsService } from '@app/observability';
import { EVENT_FILTER, EVENT_NAME, filterMatches } from './notification-events';
import { WebhookDeliveryEntity, WebhookEntity } from './webhook.entity';
import { signWebhookPayload, WEBHOOK_SIGNATURE_HEADER } from './webhook-signature';
import { guardedLookup, resolvesToPrivate, webhookUrlProblem } from './webhook-url';

export interface WebhookInput {
  url: string;
  events?: string[];
  description?: string | null;
  enabled?: boolean;
}

export interface WebhookView {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface WebhookDeliveryView {
  id: string;
  webhookId: string;
  eventId: string;
  event: string;
  state: string;
  attempts: number;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

export const WEBHOOK_DELIVERY_JOB = 'webhooks.deliver';
const SEALED = { table: 'webhooks', column: 'secret_sealed', idColumn: 'id' } as const;
const BACKOFF_BASE_MS = 30_000;
const BACKOFF_CAP_MS = 6 * 3600_000;
const BATCH = 50;

@Injectable()
export class NotificationsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Webhooks');
  private readonly allowPrivate: boolean;
  private readonly maxAttempts: number;
  private readonly timeoutMs: number;
  private readonly agent: Agent;

  constructor(
    @InjectRepository(WebhookEntity) private readonly webhooks: Repository<WebhookEntity>,
    @InjectRepository(WebhookDeliveryEntity) private readonly deliveries: Repository<WebhookDeliveryEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly vault: VaultService,
    private readonly audit: AuditService,
    private readonly jobs: JobRunner,
    private readonly clock: Clock,
    config: ConfigService<EnvironmentVariables, true>,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    this.allowPrivate = config.get('WEBHOOK_ALLOW_PRIVATE', { infer: true }) === true;
    this.maxAttempts = config.get('WEBHOOK_MAX_ATTEMPTS', { infer: true });
    this.timeoutMs = config.get('WEBHOOK_TIMEOUT_MS', { infer: true });
    this.agent = new Agent({
      connect: { timeout: this.timeoutMs, lookup: guardedLookup(this.allowPrivate) },
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
  }

  onModuleInit(): void {
    this.vault.registerSealedColumn(SEALED);
    this.jobs.register({ name: WEBHOOK_DELIVERY_JOB, intervalMs: 5000, run: () => this.deliverDue() });
  }

  async onModuleDestroy(): Promise<void> {
    await this.agent.close();
  }

  // Queues one delivery per enabled webhook whose filter matches, in the caller's
  // transaction when a manager is given, so an event exists iff its change committed.
  async emit(event: string, payload: Record<string, unknown>, manager?: EntityManager): Promise<number> {
    if (!EVENT_NAME.test(event)) throw new Error(`Invalid event name "${event}"`);
    const m = manager ?? this.dataSource.manager;
    const hooks = (await m.find(WebhookEntity, { where: { enabled: true } })).filter((h) =>
      filterMatches(h.events, event),
    );
    if (hooks.length === 0) return 0;
    const now = this.clock.now();
    const eventId = randomUUID();
    await m.insert(
      WebhookDeliveryEntity,
      hooks.map((h) => ({
        id: randomUUID(),
        webhookId: h.id,
        eventId,
        event,
        payload: { id: eventId, event, createdAt: now.toISOString(), data: payload },
        state: 'pending' as const,
        attempts: 0,
        nextAttemptAt: now,
        createdAt: now,
      })),
    );
    return hooks.length;
  }

  async createWebhook(
    input: WebhookInput,
    ctx: AuditContext,
  ): Promise<{ webhook: WebhookView; secret: string }> {
    const url = await this.checkUrl(input.url);
    const events = checkFilters(input.events ?? ['*']);
    this.vault.assertUnsealed();
    const id = randomUUID();
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const now = this.clock.now();
    const entity: WebhookEntity = {
      id,
      url,
      description: input.description?.trim() || null,
      events,
      secretSealed: await this.vault.seal(secret, { table: SEALED.table, column: SEALED.column, rowId: id }),
      enabled: input.enabled ?? true,
      createdBy: ctx.actor.type === 'operator' ? (ctx.actor.id ?? null) : null,
      createdAt: now,
      updatedAt: now,
    };
    await this.dataSource.transaction(async (m) => {
      await m.insert(WebhookEntity, entity);
      await this.audit.record(
        {
          ...ctx,
          action: 'webhook.created',
          objectType: 'webhook',
          objectId: id,
          result: 'success',
          metadata: { url: redactUrl(url), events },
        },
        m,
      );
    });
    return { webhook: toView(entity), secret };
  }

  async listWebhooks(): Promise<WebhookView[]> {
    return (await this.webhooks.find({ order: { createdAt: 'ASC' } })).map(toView);
  }

  async getWebhook(id: string): Promise<WebhookView> {
    return toView(await this.find(id));
  }

  async updateWebhook(
    id: string,
    patch: WebhookInput | Partial<WebhookInput>,
    ctx: AuditContext,
  ): Promise<WebhookView> {
    const current = await this.find(id);
    const changes: Partial<WebhookEntity> = {};
    if (patch.url !== undefined) changes.url = await this.checkUrl(patch.url);
    if (patch.events !== undefined) changes.events = checkFilters(patch.events);
    if (patch.description !== undefined) changes.description = patch.description?.trim() || null;
    if (patch.enabled !== undefined) changes.enabled = patch.enabled;
    changes.updatedAt = this.clock.now();
    await this.dataSource.transaction(async (m) => {
      await m.update(WebhookEntity, { id }, changes);
      await this.audit.record(
        {
          ...ctx,
          action: 'webhook.updated',
          objectType: 'webhook',
          objectId: id,
          result: 'success',
          metadata: { fields: Object.keys(changes).filter((k) => k !== 'updatedAt') },
        },
        m,
      );
    });
    return toView({ ...current, ...changes });
  }

  async rotateSecret(id: string, ctx: AuditContext): Promise<{ webhook: WebhookView; secret: string }> {
    const current = await this.find(id);
    this.vault.assertUnsealed();
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const sealed = await this.vault.seal(secret, { table: SEALED.table, column: SEALED.column, rowId: id });
    const now = this.clock.now();
    await this.dataSource.transaction(async (m) => {
      await m.update(WebhookEntity, { id }, { secretSealed: sealed, updatedAt: now });
      await this.audit.record(
        { ...ctx, action: 'webhook.secret_rotated', objectType: 'webhook', objectId: id, result: 'success' },
        m,
      );
    });
    return { webhook: toView({ ...current, updatedAt: now }), secret };
  }

  async deleteWebhook(id: string, ctx: AuditContext): Promise<void> {
    await this.find(id);
    await this.dataSource.transaction(async (m) => {
      await m.delete(WebhookEntity, { id });
      await this.audit.record(
        { ...ctx, action: 'webhook.deleted', objectType: 'webhook', objectId: id, result: 'success' },
        m,
      );
    });
  }

  async listDeliveries(webhookId: string, limit = 100): Promise<WebhookDeliveryView[]> {
    await this.find(webhookId);
    const rows = await this.deliveries.find({
      where: { webhookId },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: Math.min(Math.max(limit, 1), 500),
    });
    return rows.map((d) => ({
      id: d.id,
      webhookId: d.webhookId,
      eventId: d.eventId,
      event: d.event,
      state: d.state,
      attempts: d.attempts,
      nextAttemptAt: d.state === 'pending' ? d.nextAttemptAt : null,
      lastAttemptAt: d.lastAttemptAt,
      lastStatus: d.lastStatus,
      lastError: d.lastError,
      lastDurationMs: d.lastDurationMs,
      deliveredAt: d.deliveredAt,
      createdAt: d.createdAt,
    }));
  }

  // The outbox worker (job "webhooks.deliver"): due deliveries, oldest first.
  async deliverDue(): Promise<Record<string, number>> {
    const now = this.clock.now();
    const due = await this.deliveries
      .createQueryBuilder('d')
      .where("d.state = 'pending' AND d.next_attempt_at <= :now", { now })
      .orderBy('d.next_attempt_at', 'ASC')
      .limit(BATCH)
      .getMany();
    const summary = { delivered: 0, retrying: 0, failed: 0 };
    const secrets = new Map<string, { hook: WebhookEntity; secret: string } | null>();
    for (const delivery of due) {
      if (!secrets.has(delivery.webhookId))
        secrets.set(delivery.webhookId, await this.loadHook(delivery.webhookId));
      const target = secrets.get(delivery.webhookId);
      const outcome = await this.attempt(delivery, target ?? null);
      summary[outcome] += 1;
    }
    return summary;
  }

  private async loadHook(id: string): Promise<{ hook: WebhookEntity; secret: string } | null> {
    const hook = await this.webhooks.findOne({ where: { id } });
    if (!hook) return null;
    const secret = await this.vault.open(hook.secretSealed, {
      table: SEALED.table,
      column: SEALED.column,
      rowId: id,
    });
    return { hook, secret };
  }

  private async attempt(
    delivery: WebhookDeliveryEntity,
    target: { hook: WebhookEntity; secret: string } | null,
  ): Promise<'delivered' | 'retrying' | 'failed'> {
    const attemptAt = this.clock.now();
    const attempts = delivery.attempts + 1;
    let status: number | null = null;
    let error: string | null = null;
    let reason = 'disabled';
    const t0 = Date.now();
    if (!target || !target.hook.enabled) {
      error = 'webhook disabled';
    } else {
      const body = JSON.stringify(delivery.payload);
      const ts = Math.floor(attemptAt.getTime() / 1000);
      try {
        const res = await this.agent.request({
          origin: new URL(target.hook.url).origin,
          path: pathOf(target.hook.url),
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'ovh-credential-broker-webhooks/1',
            'x-broker-event': delivery.event,
            'x-broker-event-id': delivery.eventId,
            'x-broker-delivery': delivery.id,
            [WEBHOOK_SIGNATURE_HEADER.toLowerCase()]: signWebhookPayload(target.secret, ts, body),
          },
          body,
        });
        status = res.statusCode;
        await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
        if (status < 200 || status >= 300)
          [error, reason] = [`HTTP ${status}`, `http_${Math.floor(status / 100)}xx`];
      } catch (e) {
        [error, reason] = [describeError(e), failureReason(e)];
      }
    }
    if (error === null) this.metrics?.webhookDelivered();
    else this.metrics?.webhookFailure(reason);
    const duration = Date.now() - t0;
    let state: 'delivered' | 'pending' | 'failed';
    let next = delivery.nextAttemptAt;
    if (error === null) state = 'delivered';
    else if (attempts >= this.maxAttempts || error === 'webhook disabled') state = 'failed';
    else {
      state = 'pending';
      next = new Date(attemptAt.getTime() + Math.min(BACKOFF_BASE_MS * 2 ** (attempts - 1), BACKOFF_CAP_MS));
    }
    await this.deliveries.update(
      { id: delivery.id },
      {
        state,
        attempts,
        nextAttemptAt: next,
        lastAttemptAt: attemptAt,
        lastStatus: status,
        lastError: error,
        lastDurationMs: duration,
        deliveredAt: state === 'delivered' ? attemptAt : null,
      },
    );
    if (state === 'failed')
      this.logger.warn(`Delivery ${delivery.id} (${delivery.event}) failed for good: ${error}`);
    return state === 'delivered' ? 'delivered' : state === 'failed' ? 'failed' : 'retrying';
  }

  private async checkUrl(raw: string): Promise<string> {
    const url = raw.trim();
    const problem = webhookUrlProblem(url);
    if (problem) throw invalidUrl(problem);
    if (!this.allowPrivate) {
      let isPrivate: boolean;
      try {
        isPrivate = await resolvesToPrivate(url);
      } catch {
        throw invalidUrl('the host name does not resolve');
      }
      if (isPrivate) {
        throw invalidUrl(
          'the URL resolves to a private, loopback or link-local address (see WEBHOOK_ALLOW_PRIVATE)',
        );
      }
    }
    return url;
  }

  private async find(id: string): Promise<WebhookEntity> {
    const hook = UUID.test(id) ? await this.webhooks.findOne({ where: { id } }) : null;
    if (!hook)
      throw new DomainException({
        code: 'WEBHOOK_NOT_FOUND',
        kind: 'not_found',
        message: 'Webhook not found',
      });
    return hook;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function invalidUrl(problem: string): DomainException {
  return new DomainException({
    code: 'WEBHOOK_URL_INVALID',
    kind: 'unprocessable',
    message: `The webhook URL is not allowed: ${problem}`,
  });
}

function checkFilters(events: string[]): string[] {
  const list = [...new Set(events.map((e) => e.trim()))];
  const bad = list.filter((e) => !EVENT_FILTER.test(e));
  if (list.length === 0 || bad.length > 0) {
    throw new DomainException({
      code: 'WEBHOOK_EVENTS_INVALID',
      kind: 'invalid',
      message: 'events must list event names, "<prefix>.*" or "*"',
      details: { invalid: bad },
    });
  }
  return list.sort();
}

function pathOf(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

// The query string may carry a receiver's token: keep it out of the audit trail.
function redactUrl(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}${u.search ? '?…' : ''}`;
}

function describeError(e: unknown): string {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  const message = e instanceof Error ? e.message : String(e);
  return (typeof code === 'string' ? `${code}: ${message}` : message).slice(0, 500);
}

// A metric label: what kind of failure, never the message (it may hold a URL).
function failureReason(e: unknown): string {
  const codes: unknown[] = [];
  for (let err: unknown = e, depth = 0; err && typeof err === 'object' && depth < 3; depth++) {
    codes.push((err as { code?: unknown }).code);
    err = (err as { cause?: unknown }).cause;
  }
  if (codes.includes('EPRIVATETARGET')) return 'blocked';
  if (codes.some((c) => typeof c === 'string' && /TIMEOUT|ETIMEDOUT/.test(c))) return 'timeout';
  return 'network';
}

function toView(e: WebhookEntity): WebhookView {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    events: e.events,
    enabled: e.enabled,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}
