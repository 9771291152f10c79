import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import ipaddr from 'ipaddr.js';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { Clock, DomainException } from '@app/common';
import type { EnvironmentVariables } from '@app/config';
import { AuditService, type AuditContext } from '@app/audit';
import { VaultService } from '@app/vault';
import { AccountsService, type AccountViewer } from '@app/accounts';
import { ApplicationsService } from '@app/applications';
import { NotificationsService } from '@app/notifications';
import { JobRunner } from '@app/jobs';
import { type AccessRule, isCallGranted, rulesContained, validateAccessRules } from '@app/ovh-protocol';
import {
  type ConsumerKeyEvent,
  type ConsumerKeyState,
  INITIAL_STATE,
  LIVE_STATES,
  nextState,
} from './consumer-key-state';
import { ConsumerKeyEntity } from './consumer-key.entity';
import {
  ConsumerKeyUpstream,
  type CurrentCredential,
  type SigningKeys,
  type UpstreamResult,
} from './consumer-key-upstream';
import { type ConsumerKeyView, effectiveExpiry, toConsumerKeyView } from './consumer-key.view';
import {
  dedupeRules,
  expandRuleSelections,
  type PresetSelection,
  type RecursiveSelection,
} from './rule-presets';

export interface ConsumerKeyRequestInput {
  applicationId: string;
  accessRules?: AccessRule[];
  presets?: PresetSelection[];
  recursive?: RecursiveSelection[];
  // Broker policy: the key is expired upstream this long after validation; null/absent = unlimited.
  validitySeconds?: number | null;
  allowedIPs?: string[] | null;
  label?: string | null;
}

export interface ConsumerKeyRequestResult {
  key: ConsumerKeyView;
  // True when an earlier request with the same Idempotency-Key is answered again.
  replayed: boolean;
}

// A key that already exists upstream and was checked with GET /auth/currentCredential.
export interface ImportValidatedKeyInput {
  accountId: string;
  applicationId: string;
  keys: SigningKeys;
  credential: CurrentCredential;
  label?: string | null;
  // Broker policy from now on; null/absent = none (OVHcloud's own expiration still applies).
  validitySeconds?: number | null;
  // Extra audit metadata (no secrets): where the key came from, whether its application was new.
  auditMetadata?: Record<string, unknown>;
}

// A successor with other (narrower) rules, for a hygiene finding; see replace().
export interface ConsumerKeyReplaceInput {
  accessRules?: AccessRule[];
  presets?: PresetSelection[];
  recursive?: RecursiveSelection[];
  validitySeconds?: number | null;
  allowedIPs?: string[] | null;
  label?: string | null;
}

export type UpstreamCredentialErrorKind = 'credential-invalid' | 'not-credential';

export interface ConsumerKeySigningMaterial {
  consumerKeyId: string;
  accountId: string;
  applicationId: string;
  endpointBaseUrl: string;
  appKey: string;
  appSecret: string;
  consumerKey: string;
  rules: AccessRule[];
  allowedIPs: string[] | null;
  state: ConsumerKeyState;
  expiresAt: Date | null;
}

export type CallbackOutcome = 'validated' | 'refused' | 'pending' | 'already-final' | 'invalid';

export const CONSUMER_KEY_JOBS = {
  sync: 'consumer-keys.sync',
  expiry: 'consumer-keys.expiry',
  abandon: 'consumer-keys.abandon',
  revocationRetry: 'consumer-keys.revocation-retry',
} as const;

const SEALED = { table: 'consumer_keys', column: 'consumer_key_sealed', idColumn: 'id' } as const;
const SYSTEM: AuditContext = { actor: { type: 'system', label: 'consumer-keys' } };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
const DAY_MS = 86_400_000;
const JOB_BATCH = 100;

@Injectable()
export class ConsumerKeysService implements OnModuleInit {
  private readonly logger = new Logger('ConsumerKeys');
  private readonly publicUrl: string;
  private readonly warningDays: number[];
  private readonly pendingTimeoutMs: number;
  private readonly syncIntervalMs: number;
  private readonly staleRequestMs: number;

  constructor(
    @InjectRepository(ConsumerKeyEntity) private readonly repo: Repository<ConsumerKeyEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly applications: ApplicationsService,
    private readonly notifications: NotificationsService,
    private readonly upstream: ConsumerKeyUpstream,
    private readonly vault: VaultService,
    private readonly audit: AuditService,
    private readonly jobs: JobRunner,
    private readonly clock: Clock,
    config: ConfigService<EnvironmentVariables, true>,
  ) {
    const configured = config.get('PUBLIC_URL', { infer: true });
    this.publicUrl = (configured || `http://localhost:${config.get('PORT', { infer: true })}`).replace(
      /\/+$/,
      '',
    );
    this.warningDays = parseWarningDays(config.get('CK_EXPIRY_WARNING_DAYS', { infer: true }));
    this.pendingTimeoutMs = config.get('CK_PENDING_TIMEOUT_SECONDS', { infer: true }) * 1000;
    this.syncIntervalMs = config.get('CK_SYNC_INTERVAL_SECONDS', { infer: true }) * 1000;
    this.staleRequestMs = config.get('CK_REQUEST_STALE_SECONDS', { infer: true }) * 1000;
  }

  onModuleInit(): void {
    this.vault.registerSealedColumn(SEALED);
    this.jobs.register({ name: CONSUMER_KEY_JOBS.sync, intervalMs: 60_000, run: () => this.syncDue() });
    this.jobs.register({
      name: CONSUMER_KEY_JOBS.expiry,
      intervalMs: 60_000,
      run: () => this.enforceExpiry(),
    });
    this.jobs.register({
      name: CONSUMER_KEY_JOBS.abandon,
      intervalMs: 300_000,
      run: () => this.abandonStale(),
    });
    this.jobs.register({
      name: CONSUMER_KEY_JOBS.revocationRetry,
      intervalMs: 60_000,
      run: () => this.retryRevocations(),
    });
  }

  // ---- operator-facing -------------------------------------------------------------

  async list(viewer: AccountViewer, accountId: string): Promise<ConsumerKeyView[]> {
    await this.accounts.getVisible(viewer, accountId);
    const rows = await this.repo.find({ where: { accountId }, order: { createdAt: 'DESC', id: 'ASC' } });
    return rows.map(toConsumerKeyView);
  }

  async get(viewer: AccountViewer, accountId: string, id: string): Promise<ConsumerKeyView> {
    return toConsumerKeyView(await this.findVisible(viewer, accountId, id));
  }

  async request(
    viewer: AccountViewer,
    accountId: string,
    input: ConsumerKeyRequestInput,
    idempotencyKey: string | undefined,
    ctx: AuditContext,
  ): Promise<ConsumerKeyRequestResult> {
    await this.accounts.getVisible(viewer, accountId);
    const spec = this.buildSpec(input);
    return this.begin(accountId, spec, idempotencyKey, null, ctx);
  }

  // A successor with the same application, rules and allowed IPs; the predecessor is
  // revoked once the successor is validated.
  async renew(
    viewer: AccountViewer,
    accountId: string,
    id: string,
    options: { validitySeconds?: number | null },
    idempotencyKey: string | undefined,
    ctx: AuditContext,
  ): Promise<ConsumerKeyRequestResult> {
    const predecessor = await this.findVisible(viewer, accountId, id);
    const replayed = await this.checkSuccessorAllowed(predecessor, idempotencyKey, 'renewed');
    if (replayed) return replayed;
    const spec = this.buildSpec({
      applicationId: predecessor.applicationId,
      accessRules: predecessor.accessRules,
      allowedIPs: predecessor.allowedIps,
      validitySeconds:
        options.validitySeconds === undefined ? predecessor.validitySeconds : options.validitySeconds,
      label: predecessor.label,
    });
    return this.begin(accountId, spec, idempotencyKey, predecessor.id, ctx);
  }

  // Like renew, but with new rules that must fit inside the predecessor's (the fix for a
  // hygiene finding: a narrower key, an expiry, an IP restriction). The predecessor is
  // revoked automatically once the successor is validated (markValidated).
  async replace(
    viewer: AccountViewer,
    accountId: string,
    id: string,
    input: ConsumerKeyReplaceInput,
    idempotencyKey: string | undefined,
    ctx: AuditContext,
  ): Promise<ConsumerKeyRequestResult> {
    const predecessor = await this.findVisible(viewer, accountId, id);
    const replayed = await this.checkSuccessorAllowed(predecessor, idempotencyKey, 'replaced');
    if (replayed) return replayed;
    const spec = this.buildSpec({
      applicationId: predecessor.applicationId,
      accessRules: input.accessRules,
      presets: input.presets,
      recursive: input.recursive,
      allowedIPs: input.allowedIPs === undefined ? predecessor.allowedIps : input.allowedIPs,
      validitySeconds:
        input.validitySeconds === undefined ? predecessor.validitySeconds : input.validitySeconds,
      label: input.label === undefined ? predecessor.label : input.label,
    });
    // rulesContained returns the requested rules that no current rule covers.
    const current = predecessor.upstreamRules ?? predecessor.accessRules;
    const notCovered = rulesContained(spec.rules, current);
    if (spec.rules.length === 0 || notCovered.length > 0) {
      throw new DomainException({
        code: 'CONSUMER_KEY_REPLACEMENT_NOT_NARROWER',
        kind: 'unprocessable',
        message: 'The replacement rules must be a non-empty subset of what the current key grants',
        details: { notCovered, current },
      });
    }
    return this.begin(accountId, spec, idempotencyKey, predecessor.id, ctx);
  }

  // The checks every request, renewal and replacement share before the crash-safe start.
  private async begin(
    accountId: string,
    spec: ReturnType<ConsumerKeysService['buildSpec']>,
    idempotencyKey: string | undefined,
    predecessorId: string | null,
    ctx: AuditContext,
  ): Promise<ConsumerKeyRequestResult> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new DomainException({
        code: 'IDEMPOTENCY_KEY_INVALID',
        kind: 'invalid',
        message: 'Idempotency-Key must be 1 to 200 printable ASCII characters',
      });
    }
    await this.applications.requireActive(spec.applicationId);
    return this.startRequest(accountId, spec, idempotencyKey, predecessorId, ctx);
  }

  // ---- imported keys (libs/key-import) -----------------------------------------------

  // Inserts an upstream-validated key straight in INITIAL_STATE.imported, CK sealed,
  // with its audit record in the same transaction. A second live row for the same
  // credential is refused by uq_consumer_keys_live_credential (409, existing id).
  async importValidated(input: ImportValidatedKeyInput, ctx: AuditContext): Promise<ConsumerKeyView> {
    const c = input.credential;
    const validity = input.validitySeconds ?? null;
    if (validity !== null && (!Number.isInteger(validity) || validity < 60 || validity > 10 * 365 * 86400)) {
      throw new DomainException({
        code: 'CONSUMER_KEY_VALIDITY_INVALID',
        kind: 'invalid',
        message: 'validitySeconds must be an integer from 60 to 315360000, or null for none',
      });
    }
    const existing = await this.findLiveByCredential(input.applicationId, c.credentialId);
    if (existing) throw alreadyManaged(existing.id);
    const nichandle = await this.discoverNichandle(input.keys, c.rules);
    const id = randomUUID();
    const now = this.clock.now();
    const entity = this.repo.create({
      id,
      accountId: input.accountId,
      applicationId: input.applicationId,
      state: INITIAL_STATE.imported,
      origin: 'imported',
      accessRules: c.rules,
      allowedIps: c.allowedIPs && c.allowedIPs.length > 0 ? c.allowedIPs : null,
      validitySeconds: validity,
      label: input.label?.trim() || null,
      idempotencyKey: null,
      requestHash: sha256(`import:${input.applicationId}:${c.credentialId}`),
      consumerKeySealed: await this.vault.seal(input.keys.consumerKey, {
        table: SEALED.table,
        column: SEALED.column,
        rowId: id,
      }),
      validationUrl: null,
      callbackStateHash: null,
      credentialId: String(c.credentialId),
      nichandle,
      upstreamRules: c.rules,
      upstreamAllowedIps: c.allowedIPs ?? null,
      upstreamCreatedAt: parseDate(c.creation ?? null),
      upstreamExpiresAt: parseDate(c.expiration),
      policyExpiresAt: validity ? new Date(now.getTime() + validity * 1000) : null,
      lastUseAt: parseDate(c.lastUse),
      lastSyncedAt: now,
      lastError: null,
      requestedAt: now,
      validatedAt: now,
      revocationAttempts: 0,
      renewalOf: null,
      renewedBy: null,
      warningsSent: [],
      createdBy: ctx.actor.type === 'operator' ? (ctx.actor.id ?? null) : null,
      createdAt: now,
      updatedAt: now,
    });
    try {
      await this.dataSource.transaction(async (m) => {
        await m.insert(ConsumerKeyEntity, entity);
        if (nichandle) await this.accounts.recordNichandle(entity.accountId, nichandle, m);
        await this.audit.record(
          this.auditEvent(entity, ctx, 'consumer_key.imported', 'success', {
            ...input.auditMetadata,
            applicationId: entity.applicationId,
            credentialId: c.credentialId,
            nichandle,
            rules: c.rules.length,
            upstreamExpiresAt: entity.upstreamExpiresAt?.toISOString() ?? null,
            validitySeconds: validity,
          }),
          m,
        );
      });
    } catch (e) {
      if (isUniqueViolation(e)) {
        const winner = await this.findLiveByCredential(input.applicationId, c.credentialId);
        if (winner) throw alreadyManaged(winner.id);
      }
      throw e;
    }
    return toConsumerKeyView(await this.load(id));
  }

  async findLiveByCredential(applicationId: string, credentialId: number): Promise<ConsumerKeyView | null> {
    const row = await this.repo.findOne({
      where: {
        applicationId,
        credentialId: String(credentialId),
        state: In(['validated', 'revocationPending']),
      },
    });
    return row ? toConsumerKeyView(row) : null;
  }

  // Every key of these accounts in the given states (default: the live ones), for reports.
  async listForAccounts(
    accountIds: string[],
    states: readonly ConsumerKeyState[] = LIVE_STATES,
  ): Promise<ConsumerKeyView[]> {
    if (accountIds.length === 0) return [];
    const rows = await this.repo.find({
      where: { accountId: In(accountIds), state: In([...states]) },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    return rows.map(toConsumerKeyView);
  }

  // Revoking a pending request cancels it (nothing exists upstream to log out yet).
  async revoke(
    viewer: AccountViewer,
    accountId: string,
    id: string,
    ctx: AuditContext,
  ): Promise<ConsumerKeyView> {
    const entity = await this.findVisible(viewer, accountId, id);
    if (entity.state === 'pendingValidation' || entity.state === 'requesting') {
      await this.transition(
        entity,
        'abandon',
        { abandonedAt: this.clock.now(), consumerKeySealed: null },
        ctx,
        {
          reason: 'cancelled',
        },
      );
      return toConsumerKeyView(await this.load(id));
    }
    nextState(entity.state, 'revoke');
    return toConsumerKeyView(await this.endUpstream(entity, 'revoked', ctx, 'operator'));
  }

  async refresh(
    viewer: AccountViewer,
    accountId: string,
    id: string,
    ctx: AuditContext,
  ): Promise<ConsumerKeyView> {
    const entity = await this.findVisible(viewer, accountId, id);
    return toConsumerKeyView(await this.syncEntity(entity, 'operator', ctx));
  }

  // ---- the customer's browser coming back from the consent page --------------------

  async handleCallback(id: string, state: string | undefined, ctx: AuditContext): Promise<CallbackOutcome> {
    const entity = UUID.test(id) ? await this.repo.findOne({ where: { id } }) : null;
    if (
      !entity ||
      !entity.callbackStateHash ||
      !state ||
      !sameHash(entity.callbackStateHash, sha256(state))
    ) {
      return 'invalid';
    }
    if (entity.state !== 'pendingValidation')
      return entity.state === 'validated' ? 'validated' : 'already-final';
    const after = await this.syncEntity(entity, 'callback', ctx);
    if (after.state === 'validated') return 'validated';
    if (after.state === 'refused') return 'refused';
    return after.state === 'pendingValidation' ? 'pending' : 'already-final';
  }

  // ---- relay-facing ----------------------------------------------------------------

  // Decrypted keys for signing; only for a validated key that has not reached its expiry.
  async getSigningMaterial(id: string): Promise<ConsumerKeySigningMaterial> {
    const entity = await this.load(id);
    const expiresAt = effectiveExpiry(entity);
    if (
      entity.state !== 'validated' ||
      !entity.consumerKeySealed ||
      (expiresAt && expiresAt <= this.clock.now())
    ) {
      throw new DomainException({
        code: 'CONSUMER_KEY_NOT_USABLE',
        kind: 'conflict',
        message: `The consumer key is not usable (state ${entity.state})`,
        details: { state: entity.state },
      });
    }
    const keys = await this.signingKeys(entity);
    return {
      consumerKeyId: entity.id,
      accountId: entity.accountId,
      applicationId: entity.applicationId,
      ...keys,
      rules: entity.upstreamRules ?? entity.accessRules,
      allowedIPs: entity.upstreamAllowedIps ?? entity.allowedIps,
      state: entity.state,
      expiresAt,
    };
  }

  // The relay saw 403 INVALID_CREDENTIAL (→ expired) or NOT_CREDENTIAL (→ revoked) for this key.
  async markUpstreamCredentialError(id: string, kind: UpstreamCredentialErrorKind): Promise<ConsumerKeyView> {
    const entity = await this.load(id);
    if (entity.state === 'validated' || entity.state === 'revocationPending') {
      await this.markDeadUpstream(entity, kind, SYSTEM, 'relay');
    }
    return toConsumerKeyView(await this.load(id));
  }

  // ---- jobs ------------------------------------------------------------------------

  async syncDue(): Promise<Record<string, number>> {
    const before = new Date(this.clock.now().getTime() - this.syncIntervalMs);
    const due = await this.repo
      .createQueryBuilder('k')
      .where("k.state IN ('pendingValidation', 'validated')")
      .andWhere('(k.last_synced_at IS NULL OR k.last_synced_at < :before)', { before })
      .orderBy('k.last_synced_at', 'ASC', 'NULLS FIRST')
      .limit(JOB_BATCH)
      .getMany();
    const summary = { checked: 0, changed: 0, failed: 0 };
    for (const entity of due) {
      try {
        const after = await this.syncEntity(entity, 'job', SYSTEM);
        summary.checked += 1;
        if (after.state !== entity.state) summary.changed += 1;
      } catch (e) {
        summary.failed += 1;
        this.logger.warn(`sync of ${entity.id} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return summary;
  }

  async enforceExpiry(): Promise<Record<string, number>> {
    const now = this.clock.now();
    const summary = { expired: 0, pendingRevocation: 0, warned: 0 };
    const due = await this.repo
      .createQueryBuilder('k')
      .where("k.state = 'validated'")
      .andWhere('(k.policy_expires_at <= :now OR k.upstream_expires_at <= :now)', { now })
      .limit(JOB_BATCH)
      .getMany();
    for (const entity of due) {
      if (entity.upstreamExpiresAt && entity.upstreamExpiresAt <= now) {
        // OVHcloud already ended it: nothing to call.
        const ok = await this.transition(
          entity,
          'expire',
          { expiredAt: now, consumerKeySealed: null },
          SYSTEM,
          { reason: 'upstream-expiration' },
          'consumer_key.expired',
        );
        if (ok) summary.expired += 1;
        continue;
      }
      const after = await this.endUpstream(entity, 'expired', SYSTEM, 'policy');
      if (after.state === 'expired') summary.expired += 1;
      else summary.pendingRevocation += 1;
    }
    summary.warned = await this.sendExpiryWarnings(now);
    return summary;
  }

  async abandonStale(): Promise<Record<string, number>> {
    const cutoff = new Date(this.clock.now().getTime() - this.pendingTimeoutMs);
    const stale = await this.repo
      .createQueryBuilder('k')
      .where("k.state IN ('pendingValidation', 'requesting')")
      .andWhere('k.requested_at < :cutoff', { cutoff })
      .limit(JOB_BATCH)
      .getMany();
    const summary = { abandoned: 0, validated: 0 };
    for (let entity of stale) {
      if (entity.state === 'pendingValidation') {
        // One last look: the customer may have validated without coming back.
        entity = await this.syncEntity(entity, 'job', SYSTEM);
        if (entity.state === 'validated') {
          summary.validated += 1;
          continue;
        }
        if (entity.state !== 'pendingValidation') continue;
      }
      const ok = await this.transition(
        entity,
        'abandon',
        { abandonedAt: this.clock.now(), consumerKeySealed: null },
        SYSTEM,
        { reason: 'timeout' },
        'consumer_key.abandoned',
      );
      if (ok) summary.abandoned += 1;
    }
    return summary;
  }

  async retryRevocations(): Promise<Record<string, number>> {
    const due = await this.repo
      .createQueryBuilder('k')
      .where("k.state = 'revocationPending'")
      .andWhere('(k.revocation_next_at IS NULL OR k.revocation_next_at <= :now)', { now: this.clock.now() })
      .limit(JOB_BATCH)
      .getMany();
    const summary = { done: 0, stillPending: 0 };
    for (const entity of due) {
      const after = await this.endUpstream(entity, entity.revocationTarget ?? 'revoked', SYSTEM, 'retry');
      if (after.state === 'revocationPending') summary.stillPending += 1;
      else summary.done += 1;
    }
    return summary;
  }

  // ---- internals -------------------------------------------------------------------

  private buildSpec(input: ConsumerKeyRequestInput) {
    const expanded = expandRuleSelections(input.presets ?? [], input.recursive ?? []);
    const rules = dedupeRules([...(input.accessRules ?? []), ...expanded.rules]);
    const problems = [
      ...expanded.problems,
      ...validateAccessRules(rules).map((e) => ({
        field: e.index >= 0 ? `accessRules[${e.index}].${e.field}` : 'accessRules',
        problem: e.message,
      })),
    ];
    if (problems.length > 0) {
      throw new DomainException({
        code: 'CONSUMER_KEY_RULES_INVALID',
        kind: 'invalid',
        message: 'The access rules are not valid',
        details: { problems },
      });
    }
    const validity = input.validitySeconds ?? null;
    if (validity !== null && (!Number.isInteger(validity) || validity < 60 || validity > 10 * 365 * 86400)) {
      throw new DomainException({
        code: 'CONSUMER_KEY_VALIDITY_INVALID',
        kind: 'invalid',
        message: 'validitySeconds must be an integer from 60 to 315360000, or null for unlimited',
      });
    }
    return {
      applicationId: input.applicationId,
      rules,
      allowedIPs: normalizeAllowedIps(input.allowedIPs ?? null),
      validitySeconds: validity,
      label: input.label?.trim() || null,
    };
  }

  private async startRequest(
    accountId: string,
    spec: ReturnType<ConsumerKeysService['buildSpec']>,
    idempotencyKey: string | undefined,
    renewalOf: string | null,
    ctx: AuditContext,
  ): Promise<ConsumerKeyRequestResult> {
    const requestHash = sha256(
      JSON.stringify({
        applicationId: spec.applicationId,
        rules: [...spec.rules].map((r) => `${r.method} ${r.path}`).sort(),
        allowedIPs: spec.allowedIPs ? [...spec.allowedIPs].sort() : null,
        validitySeconds: spec.validitySeconds,
        label: spec.label,
        renewalOf,
      }),
    );
    if (idempotencyKey) {
      const existing = await this.repo.findOne({ where: { accountId, idempotencyKey } });
      if (existing) return this.replay(existing, requestHash, ctx);
    }
    const id = randomUUID();
    const callbackState = randomBytes(24).toString('base64url');
    const now = this.clock.now();
    const entity = this.repo.create({
      id,
      accountId,
      applicationId: spec.applicationId,
      state: 'requesting',
      accessRules: spec.rules,
      allowedIps: spec.allowedIPs,
      validitySeconds: spec.validitySeconds,
      label: spec.label,
      idempotencyKey: idempotencyKey ?? null,
      requestHash,
      callbackStateHash: sha256(callbackState),
      requestedAt: now,
      revocationAttempts: 0,
      renewalOf,
      warningsSent: [],
      createdBy: ctx.actor.type === 'operator' ? (ctx.actor.id ?? null) : null,
      createdAt: now,
      updatedAt: now,
    });
    // Recorded (and committed) before the upstream call: a crash after this point
    // leaves a row that a retry with the same Idempotency-Key finds (checklist F5).
    try {
      await this.dataSource.transaction(async (m) => {
        await m.insert(ConsumerKeyEntity, entity);
        if (renewalOf)
          await m.update(ConsumerKeyEntity, { id: renewalOf }, { renewedBy: id, updatedAt: now });
        await this.audit.record(
          this.auditEvent(entity, ctx, 'consumer_key.request_started', 'success', {
            applicationId: spec.applicationId,
            rules: spec.rules.length,
            validitySeconds: spec.validitySeconds,
            renewalOf,
          }),
          m,
        );
      });
    } catch (e) {
      if (idempotencyKey && isUniqueViolation(e)) {
        const winner = await this.repo.findOne({ where: { accountId, idempotencyKey } });
        if (winner) return this.replay(winner, requestHash, ctx);
      }
      throw e;
    }
    return { key: await this.callUpstream(entity, callbackState, ctx), replayed: false };
  }

  private async replay(existing: ConsumerKeyEntity, requestHash: string, ctx: AuditContext) {
    if (existing.requestHash !== requestHash) {
      throw new DomainException({
        code: 'IDEMPOTENCY_KEY_REUSED',
        kind: 'unprocessable',
        message: 'This Idempotency-Key was already used with a different request',
      });
    }
    if (existing.state === 'requestFailed') throw rejected(existing.lastError);
    if (existing.state !== 'requesting') return { key: toConsumerKeyView(existing), replayed: true };
    // Still 'requesting': either another attempt is running right now, or it ended
    // without an answer (upstream unreachable, or the process died mid-call). Resume
    // the latter: a pending credential created by the lost attempt is harmless, as its
    // CK and validation link were never stored or shown (see docs/consumer-keys.md).
    const now = this.clock.now();
    const callbackState = randomBytes(24).toString('base64url');
    const claimed = (await this.dataSource.query(
      `UPDATE consumer_keys SET requested_at = $2, last_error = NULL, callback_state_hash = $3, updated_at = $2
        WHERE id = $1 AND state = 'requesting' AND (last_error IS NOT NULL OR requested_at < $4)
        RETURNING id`,
      [existing.id, now, sha256(callbackState), new Date(now.getTime() - this.staleRequestMs)],
    )) as [Array<{ id: string }>, number] | Array<{ id: string }>;
    const rows = Array.isArray(claimed[0])
      ? (claimed[0] as Array<{ id: string }>)
      : (claimed as Array<{ id: string }>);
    if (rows.length === 0) {
      throw new DomainException({
        code: 'CONSUMER_KEY_REQUEST_IN_PROGRESS',
        kind: 'conflict',
        message: 'A request with this Idempotency-Key is in progress; retry shortly',
        retryAfterSeconds: Math.ceil(this.staleRequestMs / 1000),
      });
    }
    const fresh = await this.load(existing.id);
    return { key: await this.callUpstream(fresh, callbackState, ctx), replayed: true };
  }

  private async callUpstream(entity: ConsumerKeyEntity, callbackState: string, ctx: AuditContext) {
    const app = await this.applications.getSigningKeys(entity.applicationId);
    const redirection = `${this.publicUrl}/api/v1/callbacks/consumer-keys/${entity.id}?state=${callbackState}`;
    const result = await this.upstream.requestCredential(
      { endpointBaseUrl: app.endpointBaseUrl, appKey: app.appKey },
      { accessRules: entity.accessRules, redirection, allowedIPs: entity.allowedIps },
    );
    if (!result.ok && result.kind === 'unavailable') {
      await this.repo.update(
        { id: entity.id, state: 'requesting' },
        { lastError: `upstream unavailable: ${result.message}`, updatedAt: this.clock.now() },
      );
      throw new DomainException({
        code: 'CONSUMER_KEY_UPSTREAM_UNAVAILABLE',
        kind: 'upstream',
        message: 'OVHcloud did not answer the credential request; retry with the same Idempotency-Key',
        retryAfterSeconds: 5,
      });
    }
    if (!result.ok) {
      const reason = `${result.kind}: ${result.message}`;
      await this.transition(entity, 'upstreamRejected', { lastError: reason }, ctx, {
        upstreamStatus: result.status,
        reason,
      });
      throw rejected(reason);
    }
    const sealed = await this.vault.seal(result.value.consumerKey, {
      table: SEALED.table,
      column: SEALED.column,
      rowId: entity.id,
    });
    await this.transition(
      entity,
      'upstreamIssued',
      { consumerKeySealed: sealed, validationUrl: result.value.validationUrl, lastError: null },
      ctx,
      { applicationId: entity.applicationId },
    );
    return toConsumerKeyView(await this.load(entity.id));
  }

  private async syncEntity(
    entity: ConsumerKeyEntity,
    source: 'callback' | 'job' | 'operator',
    ctx: AuditContext,
  ): Promise<ConsumerKeyEntity> {
    if (entity.state !== 'pendingValidation' && entity.state !== 'validated') return entity;
    const keys = await this.signingKeys(entity);
    const result = await this.upstream.currentCredential(keys);
    const now = this.clock.now();
    if (result.ok) {
      const c = result.value;
      if (c.status === 'validated') {
        if (entity.state === 'pendingValidation') return this.markValidated(entity, keys, c, ctx, source);
        const upstreamExpiresAt = parseDate(c.expiration);
        await this.repo.update(
          { id: entity.id, state: 'validated' },
          {
            lastSyncedAt: now,
            lastError: null,
            lastUseAt: parseDate(c.lastUse),
            upstreamExpiresAt,
            upstreamRules: c.rules,
            upstreamAllowedIps: c.allowedIPs ?? null,
            updatedAt: now,
          },
        );
        return this.load(entity.id);
      }
      if (c.status === 'expired' && entity.state === 'validated') {
        await this.markDeadUpstream(entity, 'credential-invalid', ctx, source);
        return this.load(entity.id);
      }
      if (c.status === 'refused' && entity.state === 'pendingValidation') {
        await this.transition(
          entity,
          'refused',
          { refusedAt: now, consumerKeySealed: null },
          ctx,
          { source },
          'consumer_key.refused',
        );
        return this.load(entity.id);
      }
      await this.repo.update({ id: entity.id }, { lastSyncedAt: now, updatedAt: now });
      return this.load(entity.id);
    }
    if (result.kind === 'credential-invalid' || result.kind === 'not-credential') {
      if (entity.state === 'validated') {
        await this.markDeadUpstream(entity, result.kind, ctx, source);
      } else if (source === 'callback' && result.kind === 'credential-invalid') {
        // The consent page redirects only after a decision; back here without a
        // valid credential means the customer refused.
        await this.transition(
          entity,
          'refused',
          { refusedAt: now, consumerKeySealed: null },
          ctx,
          { source },
          'consumer_key.refused',
        );
      } else if (result.kind === 'not-credential') {
        await this.transition(
          entity,
          'abandon',
          { abandonedAt: now, consumerKeySealed: null },
          ctx,
          { reason: 'unknown upstream' },
          'consumer_key.abandoned',
        );
      } else {
        await this.repo.update({ id: entity.id }, { lastSyncedAt: now, lastError: null, updatedAt: now });
      }
      return this.load(entity.id);
    }
    await this.repo.update(
      { id: entity.id },
      { lastError: `sync: ${result.kind}: ${result.message}`, updatedAt: now },
    );
    return this.load(entity.id);
  }

  private async markValidated(
    entity: ConsumerKeyEntity,
    keys: SigningKeys,
    c: CurrentCredential,
    ctx: AuditContext,
    source: string,
  ): Promise<ConsumerKeyEntity> {
    const nichandle = await this.discoverNichandle(keys, c.rules);
    const now = this.clock.now();
    const account = await this.dataSource.query('SELECT nichandle FROM accounts WHERE id = $1', [
      entity.accountId,
    ]);
    const known = (account as Array<{ nichandle: string | null }>)[0]?.nichandle ?? null;
    const changes: Partial<ConsumerKeyEntity> = {
      validatedAt: now,
      credentialId: String(c.credentialId),
      nichandle,
      upstreamRules: c.rules,
      upstreamAllowedIps: c.allowedIPs ?? null,
      upstreamCreatedAt: parseDate(c.creation ?? null),
      upstreamExpiresAt: parseDate(c.expiration),
      policyExpiresAt: entity.validitySeconds
        ? new Date(now.getTime() + entity.validitySeconds * 1000)
        : null,
      lastUseAt: parseDate(c.lastUse),
      lastSyncedAt: now,
      lastError: null,
      validationUrl: null,
    };
    const ok = await this.transition(
      entity,
      'validated',
      changes,
      ctx,
      {
        source,
        credentialId: c.credentialId,
        nichandle,
        upstreamExpiresAt: changes.upstreamExpiresAt?.toISOString() ?? null,
        ...(known && nichandle && known !== nichandle
          ? { nichandleMismatch: { expected: known, got: nichandle } }
          : {}),
      },
      'consumer_key.validated',
      async (m) => {
        if (nichandle) await this.accounts.recordNichandle(entity.accountId, nichandle, m);
      },
    );
    const after = await this.load(entity.id);
    if (ok && entity.renewalOf) {
      const predecessor = await this.repo.findOne({ where: { id: entity.renewalOf } });
      if (predecessor && predecessor.state === 'validated') {
        await this.endUpstream(predecessor, 'revoked', SYSTEM, 'renewed').catch((e: unknown) =>
          this.logger.warn(`revoking renewed key ${predecessor.id} failed: ${String(e)}`),
        );
      }
    }
    return after;
  }

  private async discoverNichandle(keys: SigningKeys, rules: AccessRule[]): Promise<string | null> {
    if (isCallGranted(rules, 'GET', '/me')) {
      const me = await this.upstream.me(keys);
      if (me.ok && me.value) return me.value;
    }
    const details = await this.upstream.detailsAccount(keys);
    return details.ok ? details.value : null;
  }

  private async markDeadUpstream(
    entity: ConsumerKeyEntity,
    kind: 'credential-invalid' | 'not-credential',
    ctx: AuditContext,
    source: string,
  ): Promise<void> {
    const now = this.clock.now();
    if (kind === 'not-credential') {
      await this.transition(
        entity,
        'revoke',
        { revokedAt: now, consumerKeySealed: null, revocationNextAt: null },
        ctx,
        { source, reason: 'NOT_CREDENTIAL: revoked or deleted by the customer' },
        'consumer_key.revoked',
      );
    } else {
      await this.transition(
        entity,
        'expire',
        { expiredAt: now, consumerKeySealed: null, revocationNextAt: null },
        ctx,
        { source, reason: 'INVALID_CREDENTIAL: expired or logged out upstream' },
        'consumer_key.expired',
      );
    }
  }

  // POST /auth/logout signed with the key itself; "already dead" answers count as done.
  private async endUpstream(
    entity: ConsumerKeyEntity,
    target: 'revoked' | 'expired',
    ctx: AuditContext,
    reason: string,
  ): Promise<ConsumerKeyEntity> {
    const event: ConsumerKeyEvent = target === 'revoked' ? 'revoke' : 'expire';
    nextState(entity.state, event);
    let result: UpstreamResult<null>;
    if (!entity.consumerKeySealed) {
      result = { ok: true, status: 200, value: null };
    } else {
      result = await this.upstream.logout(await this.signingKeys(entity));
    }
    const now = this.clock.now();
    if (result.ok || result.kind === 'credential-invalid' || result.kind === 'not-credential') {
      await this.transition(
        entity,
        event,
        {
          ...(target === 'revoked' ? { revokedAt: now } : { expiredAt: now }),
          consumerKeySealed: null,
          revocationNextAt: null,
          lastError: null,
        },
        ctx,
        { reason, upstream: result.ok ? 'logged-out' : result.kind },
        target === 'revoked' ? 'consumer_key.revoked' : 'consumer_key.expired',
      );
    } else {
      const attempts = entity.revocationAttempts + 1;
      const delay = Math.min(60_000 * 2 ** (attempts - 1), 3600_000);
      await this.transition(
        entity,
        'revocationFailed',
        {
          revocationTarget: target,
          revocationAttempts: attempts,
          revocationNextAt: new Date(now.getTime() + delay),
          lastError: `logout: ${result.kind}: ${result.message}`,
        },
        ctx,
        { reason, target, attempts, upstream: result.kind },
        entity.state === 'validated' ? 'consumer_key.revocation_pending' : undefined,
      );
    }
    return this.load(entity.id);
  }

  private async sendExpiryWarnings(now: Date): Promise<number> {
    if (this.warningDays.length === 0) return 0;
    const horizon = new Date(now.getTime() + Math.max(...this.warningDays) * DAY_MS);
    const candidates = await this.repo
      .createQueryBuilder('k')
      .where("k.state = 'validated'")
      .andWhere('(k.policy_expires_at <= :horizon OR k.upstream_expires_at <= :horizon)', { horizon })
      .limit(JOB_BATCH * 5)
      .getMany();
    let sent = 0;
    for (const entity of candidates) {
      const expiresAt = effectiveExpiry(entity);
      if (!expiresAt || expiresAt <= now) continue;
      const left = expiresAt.getTime() - now.getTime();
      const crossed = this.warningDays.filter((d) => left <= d * DAY_MS && !entity.warningsSent.includes(d));
      if (crossed.length === 0) continue;
      const threshold = Math.min(...crossed);
      const warningsSent = [...new Set([...entity.warningsSent, ...crossed])].sort((a, b) => a - b);
      await this.dataSource.transaction(async (m) => {
        const res = await m
          .createQueryBuilder()
          .update(ConsumerKeyEntity)
          .set({ warningsSent, updatedAt: now })
          .where("id = :id AND state = 'validated' AND warnings_sent = :before", {
            id: entity.id,
            before: entity.warningsSent,
          })
          .execute();
        if (res.affected !== 1) return;
        await this.audit.record(
          this.auditEvent(entity, SYSTEM, 'consumer_key.expiry_warning', 'success', {
            thresholdDays: threshold,
            expiresAt: expiresAt.toISOString(),
          }),
          m,
        );
        await this.notifications.emit(
          'consumer_key.expiring',
          {
            ...this.payload(entity, entity.state),
            expiresAt: expiresAt.toISOString(),
            thresholdDays: threshold,
            secondsLeft: Math.floor(left / 1000),
          },
          m,
        );
        sent += 1;
      });
    }
    return sent;
  }

  // One guarded UPDATE per move (WHERE state = <expected>), with its audit record and
  // notification in the same transaction. Returns false if another actor moved first.
  private async transition(
    entity: ConsumerKeyEntity,
    event: ConsumerKeyEvent,
    changes: Partial<ConsumerKeyEntity>,
    ctx: AuditContext,
    metadata: Record<string, unknown>,
    notify?: string,
    extra?: (m: EntityManager) => Promise<void>,
  ): Promise<boolean> {
    const to = nextState(entity.state, event);
    const now = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const res = await m
        .createQueryBuilder()
        .update(ConsumerKeyEntity)
        .set({ ...changes, state: to, updatedAt: now })
        .where('id = :id AND state = :from', { id: entity.id, from: entity.state })
        .execute();
      if (res.affected !== 1) return false;
      await extra?.(m);
      await this.audit.record(
        this.auditEvent(
          entity,
          ctx,
          `consumer_key.${auditVerb(event, to)}`,
          event === 'upstreamRejected' ? 'failure' : 'success',
          {
            from: entity.state,
            to,
            ...metadata,
          },
        ),
        m,
      );
      if (notify) {
        await this.notifications.emit(
          notify,
          { ...this.payload({ ...entity, ...changes }, to), ...pick(metadata, 'reason') },
          m,
        );
      }
      return true;
    });
  }

  private payload(e: ConsumerKeyEntity, state: ConsumerKeyState): Record<string, unknown> {
    return {
      consumerKeyId: e.id,
      accountId: e.accountId,
      applicationId: e.applicationId,
      label: e.label,
      state,
      credentialId: e.credentialId === null ? null : Number(e.credentialId),
      nichandle: e.nichandle,
      expiresAt: effectiveExpiry(e)?.toISOString() ?? null,
    };
  }

  private auditEvent(
    e: ConsumerKeyEntity,
    ctx: AuditContext,
    action: string,
    result: 'success' | 'failure',
    metadata: Record<string, unknown>,
  ) {
    return {
      ...ctx,
      action,
      objectType: 'consumer_key',
      objectId: e.id,
      accountId: e.accountId,
      result,
      metadata,
    };
  }

  private async signingKeys(entity: ConsumerKeyEntity): Promise<SigningKeys> {
    if (!entity.consumerKeySealed) {
      throw new DomainException({
        code: 'CONSUMER_KEY_NOT_USABLE',
        kind: 'conflict',
        message: 'This consumer key holds no key material',
      });
    }
    const app = await this.applications.getSigningKeys(entity.applicationId);
    const consumerKey = await this.vault.open(entity.consumerKeySealed, {
      table: SEALED.table,
      column: SEALED.column,
      rowId: entity.id,
    });
    return {
      endpointBaseUrl: app.endpointBaseUrl,
      appKey: app.appKey,
      appSecret: app.appSecret,
      consumerKey,
    };
  }

  // Renew and replace: the predecessor must be able to have a successor, and only one
  // may wait for validation at a time (a retry with its Idempotency-Key gets it back).
  private async checkSuccessorAllowed(
    predecessor: ConsumerKeyEntity,
    idempotencyKey: string | undefined,
    verb: 'renewed' | 'replaced',
  ): Promise<ConsumerKeyRequestResult | null> {
    if (!['validated', 'expired', 'revocationPending'].includes(predecessor.state)) {
      throw new DomainException({
        code: 'CONSUMER_KEY_NOT_RENEWABLE',
        kind: 'conflict',
        message: `A consumer key in state ${predecessor.state} cannot be ${verb}`,
        details: { state: predecessor.state },
      });
    }
    if (predecessor.renewedBy) {
      const successor = await this.repo.findOne({ where: { id: predecessor.renewedBy } });
      if (successor && ['requesting', 'pendingValidation'].includes(successor.state)) {
        if (idempotencyKey && successor.idempotencyKey === idempotencyKey) {
          return { key: toConsumerKeyView(successor), replayed: true };
        }
        throw new DomainException({
          code: 'CONSUMER_KEY_RENEWAL_IN_PROGRESS',
          kind: 'conflict',
          message: 'A renewal of this consumer key is already waiting for validation',
          details: { successorId: successor.id },
        });
      }
    }
    return null;
  }

  private async findVisible(
    viewer: AccountViewer,
    accountId: string,
    id: string,
  ): Promise<ConsumerKeyEntity> {
    await this.accounts.getVisible(viewer, accountId);
    const entity = UUID.test(id) ? await this.repo.findOne({ where: { id, accountId } }) : null;
    if (!entity) throw notFound();
    return entity;
  }

  private async load(id: string): Promise<ConsumerKeyEntity> {
    const entity = UUID.test(id) ? await this.repo.findOne({ where: { id } }) : null;
    if (!entity) throw notFound();
    return entity;
  }
}

function auditVerb(event: ConsumerKeyEvent, to: ConsumerKeyState): string {
  switch (event) {
    case 'upstreamIssued':
      return 'requested';
    case 'upstreamRejected':
      return 'request_failed';
    case 'revocationFailed':
      return 'revocation_pending';
    default:
      return to;
  }
}

function notFound(): DomainException {
  return new DomainException({
    code: 'CONSUMER_KEY_NOT_FOUND',
    kind: 'not_found',
    message: 'Consumer key not found',
  });
}

function alreadyManaged(existingKeyId: string): DomainException {
  return new DomainException({
    code: 'CONSUMER_KEY_ALREADY_MANAGED',
    kind: 'conflict',
    message: 'The broker already manages this credential',
    details: { existingKeyId },
  });
}

function rejected(reason: string | null): DomainException {
  return new DomainException({
    code: 'CONSUMER_KEY_REQUEST_REJECTED',
    kind: 'unprocessable',
    message: 'OVHcloud refused the credential request',
    details: { reason },
  });
}

export function parseWarningDays(text: string): number[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((s) => Number(s.trim()))
        .filter((n) => Number.isInteger(n) && n > 0),
    ),
  ].sort((a, b) => b - a);
}

function normalizeAllowedIps(list: string[] | null): string[] | null {
  if (list === null || list.length === 0) return null;
  if (list.length > 64) {
    throw new DomainException({
      code: 'CONSUMER_KEY_ALLOWED_IPS_INVALID',
      kind: 'invalid',
      message: 'At most 64 allowedIPs',
    });
  }
  const out = list.map((raw, i) => {
    const value = raw.trim();
    try {
      if (value.includes('/')) {
        const [addr, bits] = ipaddr.parseCIDR(value);
        return `${addr.toString()}/${bits}`;
      }
      const addr = ipaddr.parse(value);
      return `${addr.toString()}/${addr.kind() === 'ipv4' ? 32 : 128}`;
    } catch {
      throw new DomainException({
        code: 'CONSUMER_KEY_ALLOWED_IPS_INVALID',
        kind: 'invalid',
        message: `allowedIPs[${i}] is not an IP address or CIDR block`,
      });
    }
  });
  return [...new Set(out)];
}

function parseDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: unknown; driverError?: { code?: unknown } };
  return err?.code === '23505' || err?.driverError?.code === '23505';
}

function pick(obj: Record<string, unknown>, key: string): Record<string, unknown> {
  return key in obj ? { [key]: obj[key] } : {};
}
