import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { Clock, DomainException } from '@app/common';
import { AccountsService, type AccountViewer } from '@app/accounts';
import { AuditService, type AuditContext } from '@app/audit';
import { ConsumerKeysService, type ConsumerKeyView } from '@app/consumer-keys';
import { NotificationsService } from '@app/notifications';
import { type AccessRule, rulesContained, validateAccessRules } from '@app/ovh-protocol';
import { VaultService } from '@app/vault';
import { MAX_ALLOWED_IPS, normalizeAllowedIps } from './allowed-ips';
import {
  hashesEqual,
  looksLikeApplicationKey,
  looksLikeBearerToken,
  mintGrantCredentials,
  type MintedGrantCredentials,
  sha256Hex,
  tokenHint,
} from './grant-credentials';
import { GrantEntity, GRANT_HOLDER_TYPES, type GrantHolderType, type GrantState } from './grant.entity';
import { GrantSettingsService } from './grant-settings.service';
import { type GrantView, toGrantView } from './grant-view';
import { grantNotFound } from './grants.errors';
import {
  type InvalidationMessage,
  notifyInvalidation,
  publishLocalInvalidation,
} from './grants-invalidation';

export interface CreateGrantInput {
  consumerKeyId: string;
  holder: { type: GrantHolderType; name: string; email?: string | null };
  description?: string | null;
  accessRules: AccessRule[];
  // Exactly one of the two.
  expiresAt?: Date;
  ttlSeconds?: number;
  allowedIPs?: string[] | null;
  rateLimitPerMinute?: number;
  readOnly?: boolean;
}

export interface CreatedGrant {
  grant: GrantView;
  // Shown once: only hashes (and the sealed secret) are kept.
  credentials: MintedGrantCredentials;
}

export interface GrantListFilters {
  status?: GrantState;
}

// What the relay needs to authenticate a call and decide on it; the minted secret is
// opened here so the relay can verify signatures.
export interface RelayGrant {
  id: string;
  accountId: string;
  consumerKeyId: string;
  holderType: GrantHolderType;
  holderName: string;
  accessRules: AccessRule[];
  allowedIPs: string[] | null;
  rateLimitPerMinute: number;
  readOnly: boolean;
  appKey: string;
  appSecret: string;
  consumerKeyHash: string;
  state: GrantState;
  expiresAt: number;
  createdAt: number;
  numericId: number;
}

export const DEFAULT_GRANT_RATE_LIMIT_PER_MINUTE = 60;
export const MAX_GRANT_RATE_LIMIT_PER_MINUTE = 1_000_000;
export const MIN_GRANT_TTL_SECONDS = 60;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ENDED_CONSUMER_KEY_STATES = ['expired', 'revoked', 'refused', 'abandoned', 'requestFailed'];
const SECRET_PLACE = { table: 'grants', column: 'app_secret_sealed' } as const;

@Injectable()
export class GrantsService {
  private readonly logger = new Logger('Grants');

  constructor(
    @InjectRepository(GrantEntity) private readonly repo: Repository<GrantEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly consumerKeys: ConsumerKeysService,
    private readonly vault: VaultService,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly settings: GrantSettingsService,
    private readonly clock: Clock,
  ) {}

  async create(
    viewer: AccountViewer,
    accountId: string,
    input: CreateGrantInput,
    ctx: AuditContext,
  ): Promise<CreatedGrant> {
    await this.accounts.getVisible(viewer, accountId);
    const now = this.clock.now();
    const holder = validateHolder(input.holder);
    const rules = validateRules(input.accessRules, input.readOnly ?? false);
    const expiresAt = await this.validateExpiry(input, now);
    const allowedIps = validateAllowedIps(input.allowedIPs);
    const rateLimit = validateRateLimit(input.rateLimitPerMinute);

    const ck = await this.consumerKeyOf(viewer, accountId, input.consumerKeyId, now);
    const outside = rulesContained(rules, ck.rules);
    if (outside.length > 0) {
      const first = outside[0];
      throw new DomainException({
        code: 'GRANT_RULES_NOT_CONTAINED',
        kind: 'unprocessable',
        message: `Rule ${first.method} ${first.path} is not contained in the consumer key's access rules`,
        details: { rules: outside, consumerKeyRules: ck.rules },
      });
    }

    const credentials = mintGrantCredentials();
    const id = randomUUID();
    const sealed = await this.vault.seal(credentials.applicationSecret, { ...SECRET_PLACE, rowId: id });
    const entity = this.repo.create({
      id,
      accountId,
      consumerKeyId: input.consumerKeyId,
      holderType: holder.type,
      holderName: holder.name,
      holderEmail: holder.email,
      description: input.description?.trim() || null,
      accessRules: rules,
      allowedIps,
      rateLimitPerMinute: rateLimit,
      readOnly: input.readOnly ?? false,
      appKey: credentials.applicationKey,
      appSecretSealed: sealed,
      consumerKeyHash: sha256Hex(credentials.consumerKey),
      tokenHash: sha256Hex(credentials.bearerToken),
      tokenHint: tokenHint(credentials.bearerToken),
      state: 'active',
      expiresAt,
      revokedAt: null,
      revokedBy: null,
      revokeReason: null,
      endedAt: null,
      endReason: null,
      expiredAt: null,
      createdBy: ctx.actor.type === 'operator' ? (ctx.actor.id ?? null) : null,
      createdAt: now,
      updatedAt: now,
    });
    await this.dataSource.transaction(async (m) => {
      await m.insert(GrantEntity, entity);
      await this.audit.record(
        {
          ...ctx,
          action: 'grant.created',
          objectType: 'grant',
          objectId: id,
          accountId,
          result: 'success',
          metadata: {
            consumerKeyId: entity.consumerKeyId,
            holderType: entity.holderType,
            holderName: entity.holderName,
            accessRules: rules,
            expiresAt: expiresAt.toISOString(),
            readOnly: entity.readOnly,
            rateLimitPerMinute: rateLimit,
            allowedIPs: allowedIps,
          },
        },
        m,
      );
      await this.notifications.emit('grant.created', this.eventPayload(entity), m);
    });
    return { grant: toGrantView(entity, now), credentials };
  }

  async list(viewer: AccountViewer, accountId: string, filters: GrantListFilters = {}): Promise<GrantView[]> {
    await this.accounts.getVisible(viewer, accountId);
    const now = this.clock.now();
    const qb = this.repo
      .createQueryBuilder('g')
      .where('g.account_id = :accountId', { accountId })
      .orderBy('g.created_at', 'DESC')
      .addOrderBy('g.id', 'ASC');
    const rows = await qb.getMany();
    const views = rows.map((g) => toGrantView(g, now));
    return filters.status ? views.filter((v) => v.status === filters.status) : views;
  }

  async get(viewer: AccountViewer, accountId: string, grantId: string): Promise<GrantView> {
    await this.accounts.getVisible(viewer, accountId);
    const grant = await this.findInAccount(this.dataSource.manager, accountId, grantId);
    return toGrantView(grant, this.clock.now());
  }

  async revoke(
    viewer: AccountViewer,
    accountId: string,
    grantId: string,
    ctx: AuditContext,
    reason?: string | null,
  ): Promise<GrantView> {
    await this.accounts.getVisible(viewer, accountId);
    const now = this.clock.now();
    const revoked = await this.dataSource.transaction(async (m) => {
      const grant = await this.findInAccount(m, accountId, grantId, true);
      if (grant.state !== 'active') {
        throw new DomainException({
          code: 'GRANT_NOT_ACTIVE',
          kind: 'conflict',
          message: `Grant is already ${grant.state}`,
          details: { status: grant.state },
        });
      }
      grant.state = 'revoked';
      grant.revokedAt = now;
      grant.revokedBy = ctx.actor.type === 'operator' ? (ctx.actor.id ?? null) : null;
      grant.revokeReason = reason?.trim().slice(0, 500) || null;
      grant.updatedAt = now;
      await m.update(
        GrantEntity,
        { id: grant.id },
        {
          state: grant.state,
          revokedAt: now,
          revokedBy: grant.revokedBy,
          revokeReason: grant.revokeReason,
          updatedAt: now,
        },
      );
      await this.audit.record(
        {
          ...ctx,
          action: 'grant.revoked',
          objectType: 'grant',
          objectId: grant.id,
          accountId,
          result: 'success',
          metadata: { holderName: grant.holderName, reason: grant.revokeReason },
        },
        m,
      );
      await this.notifications.emit(
        'grant.revoked',
        { ...this.eventPayload(grant), reason: grant.revokeReason },
        m,
      );
      await notifyInvalidation(m, { topic: 'grant', id: grant.id });
      return grant;
    });
    publishLocalInvalidation({ topic: 'grant', id: revoked.id });
    return toGrantView(revoked, now);
  }

  // Flips active grants past their expiry to expired, and those whose consumer key has ended
  // to ended. The relay already refuses both on its own; this keeps the table and webhooks right.
  async sweep(): Promise<{ expired: number; ended: number }> {
    const now = this.clock.now();
    const invalidations: InvalidationMessage[] = [];
    const result = await this.dataSource.transaction(async (m) => {
      const expired: GrantEntity[] = await m
        .createQueryBuilder(GrantEntity, 'g')
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .where("g.state = 'active' AND g.expires_at <= :now", { now })
        .limit(500)
        .getMany();
      for (const grant of expired) {
        await m.update(GrantEntity, { id: grant.id }, { state: 'expired', expiredAt: now, updatedAt: now });
        await this.audit.record(
          {
            actor: { type: 'system' },
            action: 'grant.expired',
            objectType: 'grant',
            objectId: grant.id,
            accountId: grant.accountId,
            result: 'success',
            metadata: { expiresAt: grant.expiresAt.toISOString() },
          },
          m,
        );
        await this.notifications.emit('grant.expired', this.eventPayload(grant), m);
        await notifyInvalidation(m, { topic: 'grant', id: grant.id });
        invalidations.push({ topic: 'grant', id: grant.id });
      }
      const ended: { id: string; ck_state: string }[] = await m.query(
        `SELECT g.id, ck.state AS ck_state FROM grants g JOIN consumer_keys ck ON ck.id = g.consumer_key_id
          WHERE g.state = 'active' AND ck.state = ANY($1) LIMIT 500 FOR UPDATE OF g SKIP LOCKED`,
        [ENDED_CONSUMER_KEY_STATES],
      );
      for (const row of ended) {
        const grant = await m.findOneByOrFail(GrantEntity, { id: row.id });
        const reason = `consumer_key_${row.ck_state}`;
        await m.update(
          GrantEntity,
          { id: grant.id },
          { state: 'ended', endedAt: now, endReason: reason, updatedAt: now },
        );
        await this.audit.record(
          {
            actor: { type: 'system' },
            action: 'grant.ended',
            objectType: 'grant',
            objectId: grant.id,
            accountId: grant.accountId,
            result: 'success',
            metadata: { reason, consumerKeyId: grant.consumerKeyId },
          },
          m,
        );
        await this.notifications.emit('grant.revoked', { ...this.eventPayload(grant), reason }, m);
        await notifyInvalidation(m, { topic: 'grant', id: grant.id });
        invalidations.push({ topic: 'grant', id: grant.id });
      }
      return { expired: expired.length, ended: ended.length };
    });
    for (const message of invalidations) publishLocalInvalidation(message);
    if (result.expired + result.ended > 0)
      this.logger.log(`Grant sweep: ${result.expired} expired, ${result.ended} ended`);
    return result;
  }

  // Relay lookups. Cheap shape checks first so garbage never costs a query.
  async findRelayGrantByAppKey(appKey: string): Promise<RelayGrant | null> {
    if (!looksLikeApplicationKey(appKey)) return null;
    const grant = await this.repo.findOne({ where: { appKey } });
    return grant ? this.toRelayGrant(grant) : null;
  }

  async findRelayGrantByToken(token: string): Promise<RelayGrant | null> {
    if (!looksLikeBearerToken(token)) return null;
    const hash = sha256Hex(token);
    const grant = await this.repo.findOne({ where: { tokenHash: hash } });
    if (!grant || !hashesEqual(grant.tokenHash, hash)) return null;
    return this.toRelayGrant(grant);
  }

  async findRelayGrantById(id: string): Promise<RelayGrant | null> {
    if (!UUID.test(id)) return null;
    const grant = await this.repo.findOne({ where: { id } });
    return grant ? this.toRelayGrant(grant) : null;
  }

  private async toRelayGrant(grant: GrantEntity): Promise<RelayGrant> {
    const appSecret = await this.vault.open(grant.appSecretSealed, { ...SECRET_PLACE, rowId: grant.id });
    return {
      id: grant.id,
      accountId: grant.accountId,
      consumerKeyId: grant.consumerKeyId,
      holderType: grant.holderType,
      holderName: grant.holderName,
      accessRules: grant.accessRules,
      allowedIPs: grant.allowedIps,
      rateLimitPerMinute: grant.rateLimitPerMinute,
      readOnly: grant.readOnly,
      appKey: grant.appKey,
      appSecret,
      consumerKeyHash: grant.consumerKeyHash,
      state: grant.state,
      expiresAt: grant.expiresAt.getTime(),
      createdAt: grant.createdAt.getTime(),
      numericId: numericIdOf(grant.id),
    };
  }

  private async findInAccount(
    m: EntityManager,
    accountId: string,
    grantId: string,
    lock = false,
  ): Promise<GrantEntity> {
    if (!UUID.test(grantId)) throw grantNotFound();
    const qb = m
      .createQueryBuilder(GrantEntity, 'g')
      .where('g.id = :grantId AND g.account_id = :accountId', { grantId, accountId });
    if (lock) qb.setLock('pessimistic_write');
    const grant = await qb.getOne();
    if (!grant) throw grantNotFound();
    return grant;
  }

  private async consumerKeyOf(
    viewer: AccountViewer,
    accountId: string,
    consumerKeyId: string,
    now: Date,
  ): Promise<{ rules: AccessRule[] }> {
    if (typeof consumerKeyId !== 'string' || !UUID.test(consumerKeyId)) {
      throw new DomainException({
        code: 'GRANT_CONSUMER_KEY_NOT_FOUND',
        kind: 'not_found',
        message: 'Consumer key not found in this account',
      });
    }
    let key: ConsumerKeyView;
    try {
      key = await this.consumerKeys.get(viewer, accountId, consumerKeyId);
    } catch (e) {
      if (e instanceof DomainException && e.kind === 'not_found') {
        throw new DomainException({
          code: 'GRANT_CONSUMER_KEY_NOT_FOUND',
          kind: 'not_found',
          message: 'Consumer key not found in this account',
        });
      }
      throw e;
    }
    const expired = key.expiresAt !== null && key.expiresAt.getTime() <= now.getTime();
    if (key.state !== 'validated' || expired) {
      const state = expired ? 'expired' : key.state;
      throw new DomainException({
        code: 'GRANT_CONSUMER_KEY_NOT_USABLE',
        kind: 'conflict',
        message: `Consumer key is ${state}; only a validated consumer key can back a grant`,
        details: { state },
      });
    }
    return { rules: key.upstreamRules ?? key.accessRules };
  }

  private async validateExpiry(input: CreateGrantInput, now: Date): Promise<Date> {
    const hasAt = input.expiresAt !== undefined && input.expiresAt !== null;
    const hasTtl = input.ttlSeconds !== undefined && input.ttlSeconds !== null;
    if (hasAt === hasTtl) {
      throw new DomainException({
        code: 'GRANT_EXPIRY_INVALID',
        kind: 'invalid',
        message: 'Give exactly one of expiresAt or ttlSeconds: a grant always expires',
      });
    }
    let expiresAt: Date;
    if (hasTtl) {
      const ttl = input.ttlSeconds as number;
      if (!Number.isInteger(ttl)) {
        throw new DomainException({
          code: 'GRANT_EXPIRY_INVALID',
          kind: 'invalid',
          message: 'ttlSeconds must be an integer',
        });
      }
      expiresAt = new Date(now.getTime() + ttl * 1000);
    } else {
      expiresAt = new Date(input.expiresAt as Date);
      if (Number.isNaN(expiresAt.getTime())) {
        throw new DomainException({
          code: 'GRANT_EXPIRY_INVALID',
          kind: 'invalid',
          message: 'expiresAt is not a date',
        });
      }
    }
    const ttlSeconds = Math.floor((expiresAt.getTime() - now.getTime()) / 1000);
    if (ttlSeconds < MIN_GRANT_TTL_SECONDS) {
      throw new DomainException({
        code: 'GRANT_EXPIRY_INVALID',
        kind: 'unprocessable',
        message: `A grant must live at least ${MIN_GRANT_TTL_SECONDS} seconds`,
      });
    }
    const { maxTtlSeconds } = await this.settings.getMaxTtlSeconds();
    if (ttlSeconds > maxTtlSeconds) {
      throw new DomainException({
        code: 'GRANT_TTL_TOO_LONG',
        kind: 'unprocessable',
        message: `A grant may live at most ${maxTtlSeconds} seconds`,
        details: { maxTtlSeconds },
      });
    }
    return expiresAt;
  }

  private eventPayload(grant: GrantEntity): Record<string, unknown> {
    return {
      grantId: grant.id,
      accountId: grant.accountId,
      consumerKeyId: grant.consumerKeyId,
      holder: { type: grant.holderType, name: grant.holderName },
      expiresAt: grant.expiresAt.toISOString(),
    };
  }
}

// OVHcloud identifies credentials by integers; /auth/currentCredential shows this one.
export function numericIdOf(uuid: string): number {
  return parseInt(uuid.replace(/-/g, '').slice(0, 12), 16);
}

function validateHolder(holder: CreateGrantInput['holder']): {
  type: GrantHolderType;
  name: string;
  email: string | null;
} {
  const name = typeof holder?.name === 'string' ? holder.name.trim() : '';
  if (!holder || !GRANT_HOLDER_TYPES.includes(holder.type) || !name || name.length > 200) {
    throw new DomainException({
      code: 'GRANT_HOLDER_INVALID',
      kind: 'invalid',
      message: 'holder needs a type (person or tool) and a name of at most 200 characters',
    });
  }
  const email =
    typeof holder.email === 'string' && holder.email.trim() ? holder.email.trim().slice(0, 320) : null;
  return { type: holder.type, name, email };
}

function validateRules(rules: unknown, readOnly: boolean): AccessRule[] {
  const errors = validateAccessRules(rules);
  if (errors.length > 0) {
    throw new DomainException({
      code: 'GRANT_RULES_INVALID',
      kind: 'invalid',
      message: 'accessRules are invalid',
      details: { errors },
    });
  }
  const list = (rules as AccessRule[]).map((r) => ({ method: r.method, path: r.path }));
  if (readOnly) {
    const writes = list.filter((r) => r.method !== 'GET');
    if (writes.length > 0) {
      throw new DomainException({
        code: 'GRANT_READ_ONLY_RULES',
        kind: 'unprocessable',
        message: `A read-only grant may only hold GET rules; ${writes[0].method} ${writes[0].path} is not one`,
        details: { rules: writes },
      });
    }
  }
  return dedupeRules(list);
}

function dedupeRules(rules: AccessRule[]): AccessRule[] {
  const seen = new Set<string>();
  return rules.filter((r) => {
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function validateAllowedIps(input: string[] | null | undefined): string[] | null {
  if (input === undefined || input === null) return null;
  if (!Array.isArray(input) || input.length > MAX_ALLOWED_IPS) {
    throw new DomainException({
      code: 'GRANT_ALLOWED_IPS_INVALID',
      kind: 'invalid',
      message: `allowedIPs must be a list of at most ${MAX_ALLOWED_IPS} CIDR blocks`,
    });
  }
  if (input.length === 0) return null;
  const { blocks, invalid } = normalizeAllowedIps(input);
  if (invalid.length > 0) {
    throw new DomainException({
      code: 'GRANT_ALLOWED_IPS_INVALID',
      kind: 'invalid',
      message: `Not a CIDR block: ${invalid[0]}`,
      details: { invalid },
    });
  }
  return blocks;
}

function validateRateLimit(value: number | undefined): number {
  if (value === undefined || value === null) return DEFAULT_GRANT_RATE_LIMIT_PER_MINUTE;
  if (!Number.isInteger(value) || value < 1 || value > MAX_GRANT_RATE_LIMIT_PER_MINUTE) {
    throw new DomainException({
      code: 'GRANT_RATE_LIMIT_INVALID',
      kind: 'invalid',
      message: `rateLimitPerMinute must be an integer between 1 and ${MAX_GRANT_RATE_LIMIT_PER_MINUTE}`,
    });
  }
  return value;
}
