import { timingSafeEqual } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DomainException, isDomainException } from '@app/common';
import { AuditService, type AuditContext } from '@app/audit';
import { AccountsService, type AccountViewer } from '@app/accounts';
import {
  APP_KEY_PATTERN,
  ApplicationsService,
  type ApplicationView,
  checkApplicationKeyFormat,
} from '@app/applications';
import {
  ConsumerKeysService,
  ConsumerKeyUpstream,
  type ConsumerKeyView,
  type CurrentCredential,
  type SigningKeys,
  type UpstreamFailureKind,
} from '@app/consumer-keys';
import {
  type AccessRule,
  InvalidEndpointError,
  isCallGranted,
  OvhUpstreamClient,
  OvhUpstreamError,
  resolveEndpoint,
} from '@app/ovh-protocol';
import { type ClientKeyConfig, ClientConfigError, parseOvhConf } from './client-config';

export type KeyImportSource = 'triple' | 'ovh.conf' | 'env';

export interface KeyImportRequest {
  accountId: string;
  config: ClientKeyConfig;
  source: KeyImportSource;
  label?: string | null;
  validitySeconds?: number | null;
}

export interface KeyImportResult {
  key: ConsumerKeyView;
  applicationRegistered: boolean;
}

export interface DiscoveredCredential {
  credentialId: number;
  status: string | null;
  rules: AccessRule[] | null;
  creation: string | null;
  expiration: string | null;
  lastUse: string | null;
  allowedIPs: string[] | null;
  // The credential of the key used for discovery.
  current: boolean;
  // The broker key holding this credential, if any.
  managedKeyId: string | null;
  managedState: string | null;
  error: string | null;
}

export interface DiscoveryResult {
  keyId: string;
  applicationId: string;
  upstreamApplicationId: number;
  credentials: DiscoveredCredential[];
  truncated: boolean;
}

const CK_FORMAT = /^[A-Za-z0-9]{16,64}$/;
const MAX_DISCOVERED = 200;
const DISCOVERY_CONCURRENCY = 4;

// Why an upstream check refused a key, per OVHcloud's answer (ovh-api.md §5).
const REFUSALS: Record<
  UpstreamFailureKind,
  { code: string; kind: 'unprocessable' | 'upstream'; message: string }
> = {
  'credential-invalid': {
    code: 'CREDENTIAL_INVALID',
    kind: 'unprocessable',
    message:
      'OVHcloud says the consumer key is not valid (INVALID_CREDENTIAL): it expired, was logged out or revoked, or the customer has not validated it yet',
  },
  'not-credential': {
    code: 'CREDENTIAL_UNKNOWN',
    kind: 'unprocessable',
    message:
      'OVHcloud does not know this consumer key for this application (NOT_CREDENTIAL): it was deleted, or it belongs to another application',
  },
  'invalid-key': {
    code: 'APPLICATION_KEY_UNKNOWN',
    kind: 'unprocessable',
    message: 'OVHcloud does not know this application key on this endpoint (INVALID_KEY)',
  },
  signature: {
    code: 'APPLICATION_SECRET_WRONG',
    kind: 'unprocessable',
    message: 'OVHcloud rejected the signature (INVALID_SIGNATURE): the application secret is wrong',
  },
  'ip-not-allowed': {
    code: 'IP_NOT_ALLOWED',
    kind: 'unprocessable',
    message: "The key's allowed IPs do not include the broker's address, so the broker could not use it",
  },
  unavailable: {
    code: 'UPSTREAM_UNAVAILABLE',
    kind: 'upstream',
    message: 'OVHcloud could not be reached (network error, timeout, 5xx or 429); nothing was stored',
  },
  'not-granted': {
    code: 'UPSTREAM_REFUSED',
    kind: 'upstream',
    message: 'OVHcloud refused the call',
  },
  time: { code: 'UPSTREAM_REFUSED', kind: 'upstream', message: 'OVHcloud refused the request time' },
  'not-authenticated': {
    code: 'UPSTREAM_REFUSED',
    kind: 'upstream',
    message: 'OVHcloud did not see the request as signed',
  },
  other: { code: 'UPSTREAM_REFUSED', kind: 'upstream', message: 'OVHcloud gave an unexpected answer' },
};

// Brings existing consumer keys under management: checks each upstream before
// anything is stored, registers its application if new (admins only), then hands it
// to ConsumerKeysService.importValidated (sealed, audited). Also lists an account's
// other credentials of the same application (discovery).
@Injectable()
export class KeyImportService {
  private readonly logger = new Logger('KeyImport');

  constructor(
    private readonly accounts: AccountsService,
    private readonly applications: ApplicationsService,
    private readonly consumerKeys: ConsumerKeysService,
    private readonly upstream: ConsumerKeyUpstream,
    private readonly client: OvhUpstreamClient,
    private readonly audit: AuditService,
  ) {}

  // ovh.conf text → triple, as a 400 with the reason when incomplete.
  parseConf(text: string): ClientKeyConfig {
    try {
      return parseOvhConf(text);
    } catch (e) {
      if (e instanceof ClientConfigError) throw configInvalid(e.message);
      throw e;
    }
  }

  async importKey(viewer: AccountViewer, req: KeyImportRequest, ctx: AuditContext): Promise<KeyImportResult> {
    await this.accounts.getVisible(viewer, req.accountId);
    try {
      return await this.importChecked(viewer, req, ctx);
    } catch (e) {
      if (isDomainException(e) && e.code !== 'ACCOUNT_NOT_FOUND') {
        // Refusals are on record too (who tried which application key, and why); never the secrets.
        await this.audit
          .record({
            ...ctx,
            action: 'consumer_key.import_refused',
            objectType: 'account',
            objectId: req.accountId,
            accountId: req.accountId,
            result: 'failure',
            metadata: {
              code: e.code,
              source: req.source,
              endpoint: req.config.endpoint,
              appKey: APP_KEY_PATTERN.test(req.config.applicationKey) ? req.config.applicationKey : null,
            },
          })
          .catch((err: unknown) => this.logger.warn(`audit of a refused import failed: ${String(err)}`));
      }
      throw e;
    }
  }

  private async importChecked(
    viewer: AccountViewer,
    req: KeyImportRequest,
    ctx: AuditContext,
  ): Promise<KeyImportResult> {
    const { applicationKey: appKey, applicationSecret: appSecret, consumerKey } = req.config;
    const problems: { field: string; problem: string }[] = checkApplicationKeyFormat(appKey, appSecret);
    if (!CK_FORMAT.test(consumerKey))
      problems.push({ field: 'consumerKey', problem: 'must be 16 to 64 letters or digits' });
    if (problems.length > 0) {
      throw new DomainException({
        code: 'KEY_IMPORT_KEY_FORMAT',
        kind: 'invalid',
        message: 'A key does not have the expected format',
        details: { fields: problems.map((p) => ({ field: p.field, problems: [p.problem] })) },
      });
    }
    let endpointBaseUrl: string;
    try {
      endpointBaseUrl = resolveEndpoint(req.config.endpoint);
    } catch (e) {
      if (e instanceof InvalidEndpointError) throw configInvalid(e.message);
      throw e;
    }

    let app = await this.findApplication(endpointBaseUrl, appKey);
    if (app) {
      await this.assertSameSecret(app, appSecret);
      await this.applications.requireActive(app.id);
    } else if (viewer.role !== 'admin') {
      throw new DomainException({
        code: 'KEY_IMPORT_APPLICATION_NOT_REGISTERED',
        kind: 'forbidden',
        message:
          'This application key is not registered; only an admin can import a key of a new application',
      });
    }

    const keys: SigningKeys = { endpointBaseUrl, appKey, appSecret, consumerKey };
    const credential = await this.checkUpstream(keys, 'KEY_IMPORT');
    if (app) {
      const existing = await this.consumerKeys.findLiveByCredential(app.id, credential.credentialId);
      if (existing) {
        throw new DomainException({
          code: 'CONSUMER_KEY_ALREADY_MANAGED',
          kind: 'conflict',
          message: 'The broker already manages this credential',
          details: { existingKeyId: existing.id },
        });
      }
    }

    let applicationRegistered = false;
    if (!app) {
      try {
        app = await this.applications.register(
          { label: `Imported ${appKey}`, endpoint: req.config.endpoint, appKey, appSecret },
          ctx,
        );
        applicationRegistered = true;
      } catch (e) {
        // Registered concurrently by another import: use it if the secret matches.
        // (its pre-check, or the unique index when both passed the pre-check at once).
        const duplicate = isDomainException(e)
          ? e.code === 'APPLICATION_ALREADY_REGISTERED'
          : isUniqueViolation(e);
        if (!duplicate) throw e;
        app = await this.findApplication(endpointBaseUrl, appKey);
        if (!app) throw e;
        await this.assertSameSecret(app, appSecret);
      }
    }

    const key = await this.consumerKeys.importValidated(
      {
        accountId: req.accountId,
        applicationId: app.id,
        keys,
        credential,
        label: req.label,
        validitySeconds: req.validitySeconds,
        auditMetadata: { source: req.source, applicationRegistered },
      },
      ctx,
    );
    return { key, applicationRegistered };
  }

  async discover(
    viewer: AccountViewer,
    accountId: string,
    keyId: string,
    ctx: AuditContext,
  ): Promise<DiscoveryResult> {
    const key = await this.consumerKeys.get(viewer, accountId, keyId);
    if (key.state !== 'validated') {
      throw new DomainException({
        code: 'KEY_DISCOVERY_KEY_NOT_USABLE',
        kind: 'conflict',
        message: `Discovery needs a validated key; this one is ${key.state}`,
        details: { state: key.state },
      });
    }
    const rules = key.upstreamRules ?? key.accessRules;
    const needed: AccessRule[] = [
      { method: 'GET', path: '/me/api/credential' },
      { method: 'GET', path: '/me/api/credential/*' },
    ];
    const missing = needed.filter((r) => !isCallGranted(rules, r.method, r.path.replace('*', '1')));
    if (missing.length > 0) {
      throw new DomainException({
        code: 'KEY_DISCOVERY_NOT_GRANTED',
        kind: 'unprocessable',
        message: "This key's rules do not allow listing the account's API credentials",
        details: { needed: missing },
      });
    }
    const material = await this.consumerKeys.getSigningMaterial(key.id);
    const keys: SigningKeys = {
      endpointBaseUrl: material.endpointBaseUrl,
      appKey: material.appKey,
      appSecret: material.appSecret,
      consumerKey: material.consumerKey,
    };
    const current = await this.checkUpstream(keys, 'KEY_DISCOVERY');
    if (current.applicationId === undefined) {
      throw refusal('KEY_DISCOVERY', 'other', 'OVHcloud did not say which application the key belongs to');
    }
    const listed = await this.getJson(keys, `/me/api/credential?applicationId=${current.applicationId}`);
    if (!listed.ok) throw refusal('KEY_DISCOVERY', listed.kind, listed.message);
    const ids = (Array.isArray(listed.value) ? listed.value : []).filter(
      (v): v is number => typeof v === 'number' && Number.isSafeInteger(v),
    );
    const managed = new Map(
      (await this.consumerKeys.list(viewer, accountId))
        .filter((k) => k.applicationId === key.applicationId && k.credentialId !== null)
        // Later entries win: a live key over an older, ended one for the same credential.
        .sort((a, b) => Number(isLive(a.state)) - Number(isLive(b.state)))
        .map((k) => [k.credentialId as number, k]),
    );
    const chosen = ids.slice(0, MAX_DISCOVERED);
    const credentials: DiscoveredCredential[] = new Array(chosen.length);
    let next = 0;
    const worker = async () => {
      while (next < chosen.length) {
        const i = next++;
        const id = chosen[i];
        const res = await this.getJson(keys, `/me/api/credential/${id}`);
        const v = (res.ok ? res.value : null) as Partial<CurrentCredential> | null;
        const mk = managed.get(id);
        credentials[i] = {
          credentialId: id,
          status: typeof v?.status === 'string' ? v.status : null,
          rules: Array.isArray(v?.rules) ? v.rules : null,
          creation: v?.creation ?? null,
          expiration: v?.expiration ?? null,
          lastUse: v?.lastUse ?? null,
          allowedIPs: v?.allowedIPs ?? null,
          current: id === current.credentialId,
          managedKeyId: mk?.id ?? null,
          managedState: mk?.state ?? null,
          error: res.ok ? null : `${res.kind}: ${res.message}`,
        };
      }
    };
    await Promise.all(Array.from({ length: DISCOVERY_CONCURRENCY }, worker));
    await this.audit.record({
      ...ctx,
      action: 'consumer_key.discovery',
      objectType: 'consumer_key',
      objectId: key.id,
      accountId,
      result: 'success',
      metadata: {
        upstreamApplicationId: current.applicationId,
        credentials: ids.length,
        unmanaged: credentials.filter((c) => !c.managedKeyId).length,
      },
    });
    return {
      keyId: key.id,
      applicationId: key.applicationId,
      upstreamApplicationId: current.applicationId,
      credentials,
      truncated: ids.length > chosen.length,
    };
  }

  // GET /auth/currentCredential signed with the triple; anything but "validated" is a refusal.
  private async checkUpstream(keys: SigningKeys, prefix: string): Promise<CurrentCredential> {
    const result = await this.upstream.currentCredential(keys);
    if (!result.ok) throw refusal(prefix, result.kind, result.message, result.status);
    const c = result.value;
    if (c.status === 'pendingValidation') {
      throw new DomainException({
        code: `${prefix}_NOT_VALIDATED`,
        kind: 'unprocessable',
        message: 'The customer has not validated this consumer key yet',
        details: { status: c.status },
      });
    }
    if (c.status !== 'validated') {
      throw new DomainException({
        code: `${prefix}_CREDENTIAL_INVALID`,
        kind: 'unprocessable',
        message: `OVHcloud reports this consumer key as ${c.status}`,
        details: { status: c.status },
      });
    }
    return c;
  }

  private async findApplication(endpointBaseUrl: string, appKey: string): Promise<ApplicationView | null> {
    return (
      (await this.applications.list()).find(
        (a) => a.endpointBaseUrl === endpointBaseUrl && a.appKey === appKey,
      ) ?? null
    );
  }

  private async assertSameSecret(app: ApplicationView, appSecret: string): Promise<void> {
    const stored = Buffer.from((await this.applications.getSigningKeys(app.id)).appSecret, 'utf8');
    const given = Buffer.from(appSecret, 'utf8');
    if (stored.length !== given.length || !timingSafeEqual(stored, given)) {
      throw new DomainException({
        code: 'KEY_IMPORT_APPLICATION_SECRET_MISMATCH',
        kind: 'conflict',
        message:
          'This application key is registered with a different application secret; check the secret, or ask an admin to fix the registered application',
        details: { applicationId: app.id },
      });
    }
  }

  private async getJson(
    keys: SigningKeys,
    path: string,
  ): Promise<{ ok: true; value: unknown } | { ok: false; kind: UpstreamFailureKind; message: string }> {
    try {
      const res = await this.client.call({ ...keys, method: 'GET', path });
      if (res.status >= 500 || res.status === 429)
        return { ok: false, kind: 'unavailable', message: `HTTP ${res.status}` };
      if (res.error || res.status >= 400) {
        return {
          ok: false,
          kind: res.error?.kind ?? 'other',
          message: (res.error?.message ?? `HTTP ${res.status}`).slice(0, 300),
        };
      }
      return { ok: true, value: JSON.parse(res.body.toString('utf8')) as unknown };
    } catch (e) {
      if (e instanceof SyntaxError) return { ok: false, kind: 'other', message: 'invalid JSON' };
      return {
        ok: false,
        kind: 'unavailable',
        message: e instanceof OvhUpstreamError ? e.code : 'upstream call failed',
      };
    }
  }
}

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: unknown; driverError?: { code?: unknown } } | null;
  return err?.code === '23505' || err?.driverError?.code === '23505';
}

function isLive(state: string): boolean {
  return state === 'validated' || state === 'revocationPending';
}

function configInvalid(message: string): DomainException {
  return new DomainException({ code: 'KEY_IMPORT_CONFIG_INVALID', kind: 'invalid', message });
}

function refusal(
  prefix: string,
  kind: UpstreamFailureKind,
  upstreamMessage: string,
  status?: number,
): DomainException {
  const r = REFUSALS[kind];
  return new DomainException({
    code: `${prefix}_${r.code}`,
    kind: r.kind,
    message: r.message,
    details: { upstream: kind, ...(status ? { upstreamStatus: status } : {}), upstreamMessage },
  });
}
