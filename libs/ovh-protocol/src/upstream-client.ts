import type { IncomingHttpHeaders } from 'node:http';
import { Agent, type Dispatcher } from 'undici';
import { computeOvhSignature } from './ovh-signature';
import { OVH_HEADERS } from './ovh-headers';
import { buildApiUrl, endpointOrigin } from './ovh-endpoints';
import { parseOvhError, type ParsedOvhError } from './ovh-errors';

// Signs the literal URL string once and sends exactly that string and those body bytes: no URL
// object, no re-encoding (ovh-api.md §7 items 1-3). Redirects are returned, never followed.
// Answers are collected into one Buffer, capped (maxBufferedResponseBytes), straight from
// undici's dispatch handler: no stream per response (the relay's hot path).

export interface OvhUpstreamClientOptions {
  clock?: () => number;
  dispatcher?: Dispatcher;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  connectionsPerOrigin?: number;
  // Re-read /auth/time when the last sync is older than this; 0 disables periodic refresh.
  timeSyncIntervalMs?: number;
  maxBufferedResponseBytes?: number;
}

export interface OvhSignedRequest {
  endpointBaseUrl: string;
  appKey: string;
  appSecret: string;
  consumerKey: string;
  method: string;
  // Path with its query, relative to the endpoint base or starting with /1.0, /v1 or /v2.
  path: string;
  body?: string | Buffer | null;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  retryOnClockError?: boolean;
}

export interface OvhUnauthenticatedRequest {
  endpointBaseUrl: string;
  appKey: string;
  method: string;
  path: string;
  body?: string | Buffer | null;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface OvhBufferedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  queryId?: string;
  url: string;
  attempts: number;
  error?: ParsedOvhError;
}

export type OvhUpstreamErrorCode =
  | 'CONNECT_TIMEOUT'
  | 'HEADERS_TIMEOUT'
  | 'BODY_TIMEOUT'
  | 'CONNECTION_FAILED'
  | 'ABORTED'
  | 'RESPONSE_TOO_LARGE'
  // the connection failed after the answer had started: the upstream may have acted on the call
  | 'RESPONSE_INTERRUPTED'
  | 'TIME_SYNC_FAILED'
  | 'INVALID_REQUEST';

export class OvhUpstreamError extends Error {
  constructor(
    readonly code: OvhUpstreamErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OvhUpstreamError';
  }
}

interface TimeDelta {
  delta: number;
  syncedAt: number;
}

const DEFAULTS = {
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 30_000,
  bodyTimeoutMs: 30_000,
  keepAliveTimeoutMs: 30_000,
  connectionsPerOrigin: 32,
  timeSyncIntervalMs: 15 * 60_000,
  maxBufferedResponseBytes: 10 * 1024 * 1024,
};

const DROPPED_CALLER_HEADERS = new Set([
  'host',
  'content-length',
  'connection',
  'transfer-encoding',
  'keep-alive',
]);

export class OvhUpstreamClient {
  private readonly clock: () => number;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly settings: typeof DEFAULTS;
  private readonly deltas = new Map<string, TimeDelta>();
  private readonly pendingSyncs = new Map<string, Promise<number>>();

  constructor(options: OvhUpstreamClientOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.settings = {
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      headersTimeoutMs: options.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs,
      bodyTimeoutMs: options.bodyTimeoutMs ?? DEFAULTS.bodyTimeoutMs,
      keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? DEFAULTS.keepAliveTimeoutMs,
      connectionsPerOrigin: options.connectionsPerOrigin ?? DEFAULTS.connectionsPerOrigin,
      timeSyncIntervalMs: options.timeSyncIntervalMs ?? DEFAULTS.timeSyncIntervalMs,
      maxBufferedResponseBytes: options.maxBufferedResponseBytes ?? DEFAULTS.maxBufferedResponseBytes,
    };
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher =
      options.dispatcher ??
      new Agent({
        connect: { timeout: this.settings.connectTimeoutMs },
        keepAliveTimeout: this.settings.keepAliveTimeoutMs,
        connections: this.settings.connectionsPerOrigin,
      });
  }

  // A signed call. A 400 that OVHcloud gives for a clock or signature problem makes it re-read
  // /auth/time and try once more (as python-ovh does on its first call).
  async call(request: OvhSignedRequest): Promise<OvhBufferedResponse> {
    const url = buildApiUrl(request.endpointBaseUrl, request.path);
    const retry = request.retryOnClockError ?? true;
    let delta = await this.ensureTimeDelta(request.endpointBaseUrl);
    for (let attempts = 1; ; attempts++) {
      const timestamp = Math.floor(this.clock() / 1000) + delta;
      const headers = this.signedHeaders(request, url, timestamp);
      const response = await this.send(url, request.method, headers, request.body, request.signal);
      response.attempts = attempts;
      const kind = response.error?.kind;
      if (response.status !== 400 || !retry || attempts > 1 || (kind !== 'time' && kind !== 'signature'))
        return response;
      try {
        delta = await this.syncTime(request.endpointBaseUrl);
      } catch {
        // Without a fresh delta a retry would fail the same way: hand back OVH's own answer.
        return response;
      }
    }
  }

  // Only X-Ovh-Application, as the official clients do for /auth/credential.
  async unauthenticatedCall(request: OvhUnauthenticatedRequest): Promise<OvhBufferedResponse> {
    const url = buildApiUrl(request.endpointBaseUrl, request.path);
    const headers = this.baseHeaders(request.headers, request.body);
    headers[OVH_HEADERS.application] = request.appKey;
    return this.send(url, request.method, headers, request.body, request.signal);
  }

  async getTime(endpointBaseUrl: string): Promise<number> {
    const url = buildApiUrl(endpointBaseUrl, '/auth/time');
    let response: OvhBufferedResponse;
    try {
      response = await this.send(url, 'GET', { accept: 'application/json' }, null);
    } catch (error) {
      throw new OvhUpstreamError('TIME_SYNC_FAILED', `Unable to fetch ${url}`, { cause: error });
    }
    const text = response.body.toString('utf8').trim();
    if (response.status !== 200 || !/^\d+$/.test(text)) {
      throw new OvhUpstreamError(
        'TIME_SYNC_FAILED',
        `Unexpected /auth/time answer (HTTP ${response.status})`,
      );
    }
    return Number(text);
  }

  // delta = server - floor(now / 1000), as python-ovh computes it.
  async syncTime(endpointBaseUrl: string): Promise<number> {
    const key = endpointOrigin(endpointBaseUrl);
    const pending = this.pendingSyncs.get(key);
    if (pending) return pending;
    const sync = (async () => {
      const server = await this.getTime(endpointBaseUrl);
      const now = this.clock();
      const delta = server - Math.floor(now / 1000);
      this.deltas.set(key, { delta, syncedAt: now });
      return delta;
    })();
    this.pendingSyncs.set(key, sync);
    try {
      return await sync;
    } finally {
      this.pendingSyncs.delete(key);
    }
  }

  getTimeDelta(endpointBaseUrl: string): number | undefined {
    return this.deltas.get(endpointOrigin(endpointBaseUrl))?.delta;
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private async ensureTimeDelta(endpointBaseUrl: string): Promise<number> {
    const known = this.deltas.get(endpointOrigin(endpointBaseUrl));
    const interval = this.settings.timeSyncIntervalMs;
    if (known && (interval <= 0 || this.clock() - known.syncedAt < interval)) return known.delta;
    return this.syncTime(endpointBaseUrl);
  }

  private signedHeaders(request: OvhSignedRequest, url: string, timestamp: number): Record<string, string> {
    const headers = this.baseHeaders(request.headers, request.body);
    headers[OVH_HEADERS.application] = request.appKey;
    headers[OVH_HEADERS.consumer] = request.consumerKey;
    headers[OVH_HEADERS.timestamp] = String(timestamp);
    headers[OVH_HEADERS.signature] = computeOvhSignature({
      appSecret: request.appSecret,
      consumerKey: request.consumerKey,
      method: request.method,
      url,
      body: request.body ?? '',
      timestamp,
    });
    return headers;
  }

  // Caller headers can never override the auth headers or the framing of the body we signed.
  private baseHeaders(extra: Record<string, string> | undefined, body: string | Buffer | null | undefined) {
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [name, value] of Object.entries(extra ?? {})) {
      const lower = name.toLowerCase();
      if (DROPPED_CALLER_HEADERS.has(lower) || lower.startsWith('x-ovh-')) continue;
      headers[lower] = value;
    }
    if (body !== undefined && body !== null && body.length > 0 && !headers['content-type']) {
      headers['content-type'] = 'application/json';
    }
    return headers;
  }

  private send(
    url: string,
    method: string,
    headers: Record<string, string>,
    body: string | Buffer | null | undefined,
    signal?: AbortSignal,
  ): Promise<OvhBufferedResponse> {
    const match = /^(https?:\/\/[^/?#]+)(\/[^#]*)$/i.exec(url);
    if (!match) {
      return Promise.reject(new OvhUpstreamError('INVALID_REQUEST', `Cannot send to malformed URL "${url}"`));
    }
    return new Promise((resolve, reject) => {
      const handler = new BufferingHandler(
        url,
        this.settings.maxBufferedResponseBytes,
        resolve,
        reject,
        signal,
      );
      try {
        this.dispatcher.dispatch(
          {
            origin: match[1],
            path: match[2],
            method: method as Dispatcher.HttpMethod,
            headers,
            body: body !== undefined && body !== null && body.length > 0 ? body : null,
            headersTimeout: this.settings.headersTimeoutMs,
            bodyTimeout: this.settings.bodyTimeoutMs,
          },
          handler,
        );
      } catch (error) {
        handler.onResponseError(null, error as Error);
      }
    });
  }
}

// Collects one answer for send(): status and headers, then the body into one Buffer, refusing
// more than `limit` bytes (declared or received). Settles exactly once.
class BufferingHandler implements Dispatcher.DispatchHandler {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private status = 0;
  private headers: IncomingHttpHeaders = {};
  private settled = false;
  private onAbort?: () => void;

  constructor(
    private readonly url: string,
    private readonly limit: number,
    private readonly resolve: (response: OvhBufferedResponse) => void,
    private readonly reject: (error: OvhUpstreamError) => void,
    private readonly signal?: AbortSignal,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    const signal = this.signal;
    if (!signal) return;
    if (signal.aborted) return controller.abort(abortReason(signal));
    this.onAbort = () => controller.abort(abortReason(signal));
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (statusCode < 200) return; // informational (103 Early Hints): the answer follows
    this.status = statusCode;
    this.headers = headers;
    const declared = Number(headers['content-length']);
    if (declared > this.limit) controller.abort(this.tooLarge());
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    this.size += chunk.length;
    if (this.size > this.limit) return controller.abort(this.tooLarge());
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settle()) return;
    const chunks = this.chunks;
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, this.size);
    const headers = this.headers;
    // One object of one shape for every answer (queryId undefined when absent): this is per call.
    this.resolve({
      status: this.status,
      headers,
      body,
      queryId: firstHeader(headers['x-ovh-queryid']) || undefined,
      url: this.url,
      attempts: 1,
      error: this.status >= 400 ? parseOvhError(this.status, body.toString('utf8'), headers) : undefined,
    });
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: Error): void {
    if (this.settle()) return;
    this.reject(toUpstreamError(error, this.url, this.status !== 0));
  }

  // true when already settled
  private settle(): boolean {
    if (this.settled) return true;
    this.settled = true;
    if (this.onAbort) this.signal?.removeEventListener('abort', this.onAbort);
    return false;
  }

  private tooLarge(): OvhUpstreamError {
    return new OvhUpstreamError('RESPONSE_TOO_LARGE', `Response body exceeds ${this.limit} bytes`);
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : Object.assign(new Error('The call was aborted'), { name: 'AbortError' });
}

export function responseJson<T = unknown>(response: OvhBufferedResponse): T | null {
  if (response.body.length === 0) return null;
  return JSON.parse(response.body.toString('utf8')) as T;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function toUpstreamError(error: unknown, target: string, answerStarted = false): OvhUpstreamError {
  if (error instanceof OvhUpstreamError) return error;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const name = error instanceof Error ? error.name : '';
  const mapped: OvhUpstreamErrorCode =
    code === 'UND_ERR_CONNECT_TIMEOUT'
      ? 'CONNECT_TIMEOUT'
      : code === 'UND_ERR_HEADERS_TIMEOUT'
        ? 'HEADERS_TIMEOUT'
        : code === 'UND_ERR_BODY_TIMEOUT'
          ? 'BODY_TIMEOUT'
          : code === 'UND_ERR_ABORTED' || name === 'AbortError'
            ? 'ABORTED'
            : code === 'UND_ERR_INVALID_ARG'
              ? 'INVALID_REQUEST'
              : answerStarted
                ? 'RESPONSE_INTERRUPTED'
                : 'CONNECTION_FAILED';
  const detail = error instanceof Error ? error.message : String(error);
  return new OvhUpstreamError(mapped, `Upstream ${mapped.toLowerCase()} for ${target}: ${detail}`, {
    cause: error,
  });
}
