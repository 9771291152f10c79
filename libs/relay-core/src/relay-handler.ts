import { randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AuditEventInput, PreparedAuditEvent } from '@app/audit';
import {
  type CanonicalTarget,
  endpointOrigin,
  type OvhBufferedResponse,
  OvhUpstreamError,
  OvhUpstreamClient,
  tryCanonicalizeRequestTarget,
} from '@app/ovh-protocol';
import type { ConsumerKeySigningMaterial } from '@app/consumer-keys';
import { CircuitBreakerRegistry } from './circuit-breaker';
import { clientResponseHeaders, HeaderPolicyError, upstreamRequestHeaders } from './header-policy';
import { authenticateRelayCall } from './relay-auth';
import { RelayAuditWriter } from './relay-audit.writer';
import { type RelayRefusal, RelayRefusals, refusalBody } from './relay-errors';
import type { CachedGrant, RelayLookups } from './relay-lookups.service';
import { grantLifecycleRefusal, ipRefusal, rulesRefusal } from './relay-policy';
import type { RelayRateLimits } from './relay-rate-limits';
import type { RelaySettings } from './relay-settings';

// What the relay counts (kept free of Nest: RelayService adapts MetricsService to it).
export interface RelayMetrics {
  // One per call sent upstream: the answer's status, or how it failed without a usable one.
  upstreamCall(outcome: number | 'error' | 'timeout', upstreamHost: string, durationMs: number): void;
  rateLimited(scope: 'grant' | 'consumer_key'): void;
}

export interface RelayHandlerDeps {
  settings: RelaySettings;
  lookups: RelayLookups;
  rateLimits: RelayRateLimits;
  breakers: CircuitBreakerRegistry;
  audit: RelayAuditWriter<PreparedAuditEvent>;
  // Checks and renders an audit event as the call ends (AuditService.prepare), so the writer's
  // batched flush only numbers, hashes and inserts.
  prepareAudit: (event: AuditEventInput) => PreparedAuditEvent;
  upstream: OvhUpstreamClient;
  now: () => number;
  isShuttingDown: () => boolean;
  reportCredentialError: (consumerKeyId: string, kind: 'credential-invalid' | 'not-credential') => void;
  log: (level: 'warn' | 'error', message: string) => void;
  metrics?: RelayMetrics;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE']);
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);
const NO_BODY = new Set(['GET', 'HEAD', 'DELETE']);
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const EMPTY = Buffer.alloc(0);
const TIMEOUTS: ReadonlySet<string> = new Set(['CONNECT_TIMEOUT', 'HEADERS_TIMEOUT', 'BODY_TIMEOUT']);

interface CallRecord {
  requestId: string;
  start: number;
  method: string;
  ip: string | undefined;
  canonical?: CanonicalTarget;
  grant?: CachedGrant;
  mode?: 'signature' | 'bearer';
  queryId?: string;
}

class BodyError extends Error {
  constructor(readonly refusal: RelayRefusal) {
    super(refusal.relayError);
  }
}

// The relay's hot path, on raw Node request/response objects (no Express, no Nest pipeline, no
// body parser: the signature covers the exact bytes the client sent). Order of checks:
// protocol (method, upgrade, Host, path) → body → /auth/time → authentication → grant state →
// IP → consumer key → /auth/* → rules → rate limits → circuit breaker → upstream.
// Refusals never reach the upstream. Bodies are buffered with strict caps, both ways.
export class RelayHandler {
  private readonly corsOrigins: ReadonlySet<string>;
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly deps: RelayHandlerDeps) {
    this.corsOrigins = new Set(deps.settings.corsOrigins);
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const call: CallRecord = {
      requestId: '',
      start: 0,
      method: req.method ?? '',
      ip: req.socket.remoteAddress,
    };
    this.run(req, res, call).catch((e: unknown) => {
      // Unexpected (database down while loading a grant, vault sealed...): a fast 503, never a hang.
      this.deps.log('error', `relay call failed: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent)
        this.finish(req, res, call, RelayRefusals.unavailable('The relay cannot serve this call right now'));
      else res.destroy();
    });
  }

  private async run(req: IncomingMessage, res: ServerResponse, call: CallRecord): Promise<void> {
    const givenId = req.headers['x-request-id'];
    call.requestId = typeof givenId === 'string' && SAFE_ID.test(givenId) ? givenId : randomUUID();
    call.start = performance.now();
    res.setHeader('X-Request-Id', call.requestId);
    if (this.deps.isShuttingDown()) res.setHeader('Connection', 'close');
    if (this.cors(req, res)) return;

    const early = this.protocolRefusal(req, call);
    if (early) return this.finish(req, res, call, early);
    const canonical = call.canonical as CanonicalTarget;

    if (this.deps.audit.isBlocked()) return this.finish(req, res, call, RelayRefusals.auditUnavailable());

    let body: Buffer;
    try {
      body = await this.readBody(req, call.method);
    } catch (e) {
      if (e instanceof BodyError) {
        res.setHeader('Connection', 'close');
        return this.finish(req, res, call, e.refusal);
      }
      throw e;
    }

    const path = canonical.path;
    if (path === '/auth/time' && (call.method === 'GET' || call.method === 'HEAD')) {
      return this.sendJson(res, 200, String(Math.floor(this.deps.now() / 1000)), call.method === 'HEAD');
    }
    if (path === '/auth/credential' || path === '/auth/credential/') {
      return this.finish(req, res, call, RelayRefusals.credentialRequestRefused());
    }

    const now = this.deps.now();
    const auth = await authenticateRelayCall(
      { method: call.method, target: canonical.target, headers: req.headers, body, nowMs: now },
      this.deps.lookups,
      this.deps.settings,
    );
    if (!auth.ok) {
      call.grant = auth.grant;
      return this.finish(req, res, call, auth.refusal);
    }
    const grant = auth.grant;
    call.grant = grant;
    call.mode = auth.mode;

    const denied = grantLifecycleRefusal(grant, now) ?? ipRefusal(grant, call.ip);
    if (denied) return this.finish(req, res, call, denied);

    const lookup = await this.deps.lookups.material(grant.consumerKeyId);
    if (!lookup.usable) return this.finish(req, res, call, RelayRefusals.consumerKeyUnusable());
    const material = lookup.material;

    if (path.startsWith('/auth/')) {
      if (path === '/auth/currentCredential' && (call.method === 'GET' || call.method === 'HEAD')) {
        this.sendJson(res, 200, JSON.stringify(currentCredential(grant)), call.method === 'HEAD');
        return this.record(call, 200);
      }
      return this.finish(req, res, call, RelayRefusals.authRouteRefused());
    }

    const notGranted = rulesRefusal(grant, material.rules, call.method, path);
    if (notGranted) return this.finish(req, res, call, notGranted);

    // Bulkhead (checklist L2): one account's slow calls must not take every upstream connection.
    // Checked before the rate limits so a busy refusal costs none of the account's quota.
    const accountId = grant.accountId;
    const inFlight = this.inFlight.get(accountId) ?? 0;
    if (inFlight >= this.deps.settings.maxInflightPerAccount) {
      return this.finish(req, res, call, RelayRefusals.accountBusy(1));
    }
    this.inFlight.set(accountId, inFlight + 1);
    try {
      await this.limitAndForward(req, res, call, grant, material, body);
    } finally {
      const left = (this.inFlight.get(accountId) ?? 1) - 1;
      if (left > 0) this.inFlight.set(accountId, left);
      else this.inFlight.delete(accountId);
    }
  }

  // Upstream calls in flight now, in total and per account (for status and tests).
  inFlightStats(): { calls: number; accounts: number; maxPerAccount: number } {
    let calls = 0;
    let maxPerAccount = 0;
    for (const n of this.inFlight.values()) {
      calls += n;
      maxPerAccount = Math.max(maxPerAccount, n);
    }
    return { calls, accounts: this.inFlight.size, maxPerAccount };
  }

  private async limitAndForward(
    req: IncomingMessage,
    res: ServerResponse,
    call: CallRecord,
    grant: CachedGrant,
    material: ConsumerKeySigningMaterial,
    body: Buffer,
  ): Promise<void> {
    const perGrant = await this.deps.rateLimits.consumeGrant(grant.id, grant.rateLimitPerMinute);
    if (!perGrant.allowed) {
      this.deps.metrics?.rateLimited('grant');
      return this.finish(req, res, call, RelayRefusals.rateLimited('grant', perGrant.retryAfterSeconds));
    }
    const perKey = await this.deps.rateLimits.consumeConsumerKey(grant.consumerKeyId);
    if (!perKey.allowed) {
      this.deps.metrics?.rateLimited('consumer_key');
      return this.finish(req, res, call, RelayRefusals.rateLimited('consumer_key', perKey.retryAfterSeconds));
    }

    let headers: Record<string, string>;
    try {
      headers = upstreamRequestHeaders(req.headers);
    } catch (e) {
      if (e instanceof HeaderPolicyError)
        return this.finish(req, res, call, RelayRefusals.badHeaders(e.message));
      throw e;
    }
    await this.forward(req, res, call, material, headers, body);
  }

  // Only the configured browser origins (the dashboard's console) get CORS headers; a preflight
  // from one of them is answered here, without authentication and without any upstream call.
  // Every other OPTIONS is refused like any unknown method (checklist R4).
  private cors(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    if (typeof origin !== 'string' || !this.corsOrigins.has(origin)) return false;
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    if (req.method !== 'OPTIONS') {
      res.setHeader('Access-Control-Expose-Headers', 'X-Ovh-Queryid, X-Relay-Error, X-Request-Id');
      return false;
    }
    const wanted = req.headers['access-control-request-method'];
    if (typeof wanted !== 'string' || !METHODS.has(wanted)) return false;
    res.writeHead(204, {
      'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE',
      'Access-Control-Allow-Headers': 'Authorization, Content-Type, X-Request-Id',
      'Access-Control-Max-Age': '600',
      'Content-Length': '0',
    });
    res.end();
    return true;
  }

  private protocolRefusal(req: IncomingMessage, call: CallRecord): RelayRefusal | null {
    if (!METHODS.has(call.method)) return RelayRefusals.methodNotAllowed();
    if (req.headers.upgrade !== undefined) return RelayRefusals.upgradeRefused();
    let hosts = 0;
    const raw = req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      if (raw[i].length === 4 && raw[i].toLowerCase() === 'host') hosts++;
    }
    if (hosts > 1) return RelayRefusals.badHeaders('Duplicate Host header');
    const result = tryCanonicalizeRequestTarget(req.url ?? '');
    if (!result.ok) {
      return result.error.code === 'UNKNOWN_API_BRANCH'
        ? {
            relayError: 'UNKNOWN_API_BRANCH',
            spec: { status: 404, message: 'Got an invalid (or empty) URL' },
          }
        : RelayRefusals.invalidPath(result.error.message);
    }
    call.canonical = result.value;
    return null;
  }

  private readBody(req: IncomingMessage, method: string): Promise<Buffer> {
    const length = req.headers['content-length'];
    const chunked = req.headers['transfer-encoding'] !== undefined;
    if (!chunked && (length === undefined || length === '0')) return Promise.resolve(EMPTY);
    const limit = this.deps.settings.maxBodyBytes;
    if (NO_BODY.has(method)) return Promise.reject(new BodyError(RelayRefusals.bodyNotExpected()));
    if (length !== undefined && Number(length) > limit) {
      return Promise.reject(new BodyError(RelayRefusals.bodyTooLarge(limit)));
    }
    return new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      const timer = setTimeout(() => fail(RelayRefusals.bodyTimeout()), this.deps.settings.bodyTimeoutMs);
      const cleanup = () => {
        done = true;
        clearTimeout(timer);
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onError);
        req.off('aborted', onError);
      };
      const fail = (refusal: RelayRefusal) => {
        if (done) return;
        cleanup();
        req.pause();
        reject(new BodyError(refusal));
      };
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) return fail(RelayRefusals.bodyTooLarge(limit));
        chunks.push(chunk);
      };
      const onEnd = () => {
        if (done) return;
        cleanup();
        resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
      };
      const onError = () => fail(RelayRefusals.badHeaders('Request body could not be read'));
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onError);
      req.on('aborted', onError);
    });
  }

  private async forward(
    req: IncomingMessage,
    res: ServerResponse,
    call: CallRecord,
    material: ConsumerKeySigningMaterial,
    headers: Record<string, string>,
    body: Buffer,
  ): Promise<void> {
    const canonical = call.canonical as CanonicalTarget;
    const breaker = this.deps.breakers.for(endpointOrigin(material.endpointBaseUrl));
    if (!breaker.tryAcquire()) {
      return this.finish(
        req,
        res,
        call,
        RelayRefusals.circuitOpen(Math.max(1, Math.ceil(breaker.retryAfterMs() / 1000))),
      );
    }
    const request = {
      endpointBaseUrl: material.endpointBaseUrl,
      appKey: material.appKey,
      appSecret: material.appSecret,
      consumerKey: material.consumerKey,
      method: call.method,
      path: canonical.target,
      body: body.length > 0 ? body : null,
      headers,
    };
    const sentAt = performance.now();
    const observe = (outcome: number | 'error' | 'timeout') =>
      this.deps.metrics?.upstreamCall(outcome, breaker.host, performance.now() - sentAt);
    let upstream: OvhBufferedResponse;
    try {
      try {
        upstream = await this.deps.upstream.call(request);
      } catch (e) {
        // Only idempotent calls, only when the connection failed (before any answer), once; never POST.
        if (
          !(e instanceof OvhUpstreamError) ||
          e.code !== 'CONNECTION_FAILED' ||
          !IDEMPOTENT.has(call.method)
        )
          throw e;
        upstream = await this.deps.upstream.call(request);
      }
    } catch (e) {
      const refusal = this.upstreamFailure(e);
      observe(refusal.relayError === 'UPSTREAM_TIMEOUT' ? 'timeout' : 'error');
      // an answer too large or malformed is the upstream's fault, not a sign it is down
      if (
        refusal.relayError === 'UPSTREAM_RESPONSE_TOO_LARGE' ||
        refusal.relayError === 'UPSTREAM_INVALID_RESPONSE'
      ) {
        breaker.onSuccess();
      } else {
        breaker.onFailure();
      }
      return this.finish(req, res, call, refusal);
    }

    const status = upstream.status;
    call.queryId = upstream.queryId;
    observe(status);
    if (status === 502 || status === 503 || status === 504) breaker.onFailure();
    else breaker.onSuccess();
    if (status >= 300 && status < 400) return this.finish(req, res, call, RelayRefusals.upstreamRedirect());
    if (status === 403) this.noticeCredentialError(material, upstream);

    const out: OutgoingHttpHeaders = clientResponseHeaders(upstream.headers);
    out['content-length'] = upstream.body.length;
    res.writeHead(status, out);
    res.end(call.method === 'HEAD' ? undefined : upstream.body);
    this.record(call, status);
  }

  private upstreamFailure(e: unknown): RelayRefusal {
    if (e instanceof OvhUpstreamError) {
      switch (e.code) {
        case 'CONNECT_TIMEOUT':
        case 'HEADERS_TIMEOUT':
        case 'BODY_TIMEOUT':
          return RelayRefusals.upstreamTimeout();
        case 'RESPONSE_TOO_LARGE':
          return RelayRefusals.upstreamTooLarge(this.deps.settings.maxResponseBytes);
        case 'TIME_SYNC_FAILED':
          // The clock sync is the first call to a new upstream: its timeouts are timeouts too.
          return e.cause instanceof OvhUpstreamError && TIMEOUTS.has(e.cause.code)
            ? RelayRefusals.upstreamTimeout()
            : RelayRefusals.upstreamUnreachable();
        case 'CONNECTION_FAILED':
        case 'ABORTED':
          return RelayRefusals.upstreamUnreachable();
        default:
          return RelayRefusals.upstreamInvalid();
      }
    }
    return RelayRefusals.upstreamInvalid();
  }

  // OVHcloud saying the real consumer key is dead: mark it (expired or revoked) and notify, and
  // stop using the cached material; the next call gets the relay's own INVALID_CREDENTIAL.
  private noticeCredentialError(material: ConsumerKeySigningMaterial, upstream: OvhBufferedResponse): void {
    const kind = upstream.error?.kind;
    if (kind !== 'credential-invalid' && kind !== 'not-credential') return;
    this.deps.lookups.forgetMaterial(material.consumerKeyId);
    this.deps.reportCredentialError(material.consumerKeyId, kind);
  }

  private sendJson(res: ServerResponse, status: number, json: string, head: boolean): void {
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(json),
    });
    res.end(head ? undefined : json);
  }

  private finish(req: IncomingMessage, res: ServerResponse, call: CallRecord, refusal: RelayRefusal): void {
    const json = refusalBody(refusal);
    const headers: OutgoingHttpHeaders = {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(json),
      'x-relay-error': refusal.relayError,
    };
    if (refusal.retryAfterSeconds !== undefined) headers['retry-after'] = String(refusal.retryAfterSeconds);
    // An unread body: answer, then close rather than drain whatever the client still sends.
    if (!req.complete) headers.connection = 'close';
    res.writeHead(refusal.spec.status, headers);
    res.end(call.method === 'HEAD' ? undefined : json);
    if (!req.complete) req.resume();
    this.record(call, refusal.spec.status, refusal.relayError);
  }

  // Calls that identified a grant are audited, refused or not. Anonymous refusals (unknown key,
  // malformed request) are not: they would let anyone fill the audit log.
  private record(call: CallRecord, status: number, relayError?: string): void {
    const grant = call.grant;
    if (!grant) return;
    const canonical = call.canonical;
    const event: AuditEventInput = {
      actor: { type: 'grant', id: grant.id, label: grant.holderName },
      action: 'relay.call',
      objectType: 'grant',
      objectId: grant.id,
      accountId: grant.accountId,
      result: relayError ? 'denied' : status < 400 ? 'success' : 'failure',
      ip: call.ip,
      requestId: call.requestId,
      // keys in code-unit order: the audit's canonical text of a flat, sorted object is plain JSON
      metadata: {
        auth: call.mode ?? null,
        consumerKeyId: grant.consumerKeyId,
        durationMs: Math.round((performance.now() - call.start) * 100) / 100,
        holderType: grant.holderType,
        method: call.method,
        path: canonical ? `/${canonical.branch}${canonical.path}` : null,
        relayError: relayError ?? null,
        status,
        upstreamQueryId: call.queryId ?? null,
      },
    };
    this.deps.audit.enqueue(this.deps.prepareAudit(event));
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

// GET /auth/currentCredential answers for the grant, in OVHcloud's auth.ApiCredential shape.
function currentCredential(grant: CachedGrant): Record<string, unknown> {
  return {
    credentialId: grant.numericId,
    applicationId: grant.numericId,
    creation: iso(grant.createdAt),
    expiration: iso(grant.expiresAt),
    lastUse: null,
    ovhSupport: false,
    rules: grant.accessRules,
    status: 'validated',
    allowedIPs: grant.allowedIPs,
  };
}
