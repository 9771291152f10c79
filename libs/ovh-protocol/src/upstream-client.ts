import { Readable } from 'node:stream';
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, type Dispatcher } from 'undici';
import { computeOvhSignature } from './ovh-signature';
import { OVH_HEADERS } from './ovh-headers';
import { buildApiUrl, endpointOrigin } from './ovh-endpoints';
import { parseOvhError, type ParsedOvhError } from './ovh-errors';

// Signs the literal URL string once and sends exactly that string and those body bytes: no URL
// object, no re-encoding (ovh-api.md §7 items 1-3). Redirects are returned, never followed.

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

export interface OvhStreamResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Readable;
  queryId?: string;
  url: string;
  attempts: number;
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

const MAX_RETRY_PROBE_BYTES = 64 * 1024;
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

  // Streaming variant for the relay. A 400 time/signature error is buffered to decide on the
  // single retry; any other response body is handed over unread.
  async signedRequest(request: OvhSignedRequest): Promise<OvhStreamResponse> {
    const url = buildApiUrl(request.endpointBaseUrl, request.path);
    const retry = request.retryOnClockError ?? true;
    let delta = await this.ensureTimeDelta(request.endpointBaseUrl);
    let attempts = 0;
    for (;;) {
      attempts++;
      const timestamp = Math.floor(this.clock() / 1000) + delta;
      const headers = this.signedHeaders(request, url, timestamp);
      const response = await this.send(url, request.method, headers, request.body, request.signal);
      if (response.statusCode !== 400 || !retry || attempts > 1) {
        response.attempts = attempts;
        return response;
      }
      const probe = await this.readBody(response.body, MAX_RETRY_PROBE_BYTES);
      const error = parseOvhError(response.statusCode, probe.toString('utf8'), response.headers);
      const original = { ...response, body: Readable.from([probe]), attempts };
      if (error.kind !== 'time' && error.kind !== 'signature') return original;
      try {
        delta = await this.syncTime(request.endpointBaseUrl);
      } catch {
        // Without a fresh delta a retry would fail the same way: hand back OVH's own answer.
        return original;
      }
    }
  }

  async call(request: OvhSignedRequest): Promise<OvhBufferedResponse> {
    return this.buffer(await this.signedRequest(request));
  }

  // Only X-Ovh-Application, as the official clients do for /auth/credential.
  async unauthenticatedRequest(request: OvhUnauthenticatedRequest): Promise<OvhStreamResponse> {
    const url = buildApiUrl(request.endpointBaseUrl, request.path);
    const headers = this.baseHeaders(request.headers, request.body);
    headers[OVH_HEADERS.application] = request.appKey;
    return this.send(url, request.method, headers, request.body, request.signal);
  }

  async unauthenticatedCall(request: OvhUnauthenticatedRequest): Promise<OvhBufferedResponse> {
    return this.buffer(await this.unauthenticatedRequest(request));
  }

  async getTime(endpointBaseUrl: string): Promise<number> {
    const url = buildApiUrl(endpointBaseUrl, '/auth/time');
    let response: OvhBufferedResponse;
    try {
      response = await this.buffer(await this.send(url, 'GET', { accept: 'application/json' }, null));
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

  private async send(
    url: string,
    method: string,
    headers: Record<string, string>,
    body: string | Buffer | null | undefined,
    signal?: AbortSignal,
  ): Promise<OvhStreamResponse> {
    const match = /^(https?:\/\/[^/?#]+)(\/[^#]*)$/i.exec(url);
    if (!match) throw new OvhUpstreamError('INVALID_REQUEST', `Cannot send to malformed URL "${url}"`);
    try {
      const response = await this.dispatcher.request({
        origin: match[1],
        path: match[2],
        method: method as Dispatcher.HttpMethod,
        headers,
        body: body !== undefined && body !== null && body.length > 0 ? body : null,
        headersTimeout: this.settings.headersTimeoutMs,
        bodyTimeout: this.settings.bodyTimeoutMs,
        signal,
      });
      // One object of one shape for every answer (queryId undefined when absent): this is per call.
      return {
        statusCode: response.statusCode,
        headers: response.headers,
        body: response.body,
        queryId: firstHeader(response.headers['x-ovh-queryid']) || undefined,
        url,
        attempts: 1,
      };
    } catch (error) {
      throw toUpstreamError(error, url);
    }
  }

  private async buffer(response: OvhStreamResponse): Promise<OvhBufferedResponse> {
    const body = await this.readBody(response.body, this.settings.maxBufferedResponseBytes);
    const result: OvhBufferedResponse = {
      status: response.statusCode,
      headers: response.headers,
      body,
      url: response.url,
      attempts: response.attempts,
      ...(response.queryId ? { queryId: response.queryId } : {}),
    };
    if (response.statusCode >= 400) {
      result.error = parseOvhError(response.statusCode, body.toString('utf8'), response.headers);
    }
    return result;
  }

  private async readBody(stream: Readable, limit: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of stream) {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
        size += buf.length;
        if (size > limit) {
          stream.destroy();
          throw new OvhUpstreamError('RESPONSE_TOO_LARGE', `Response body exceeds ${limit} bytes`);
        }
        chunks.push(buf);
      }
    } catch (error) {
      if (error instanceof OvhUpstreamError) throw error;
      throw toUpstreamError(error, 'response body');
    }
    return Buffer.concat(chunks);
  }
}

export function responseJson<T = unknown>(response: OvhBufferedResponse): T | null {
  if (response.body.length === 0) return null;
  return JSON.parse(response.body.toString('utf8')) as T;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function toUpstreamError(error: unknown, target: string): OvhUpstreamError {
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
              : 'CONNECTION_FAILED';
  const detail = error instanceof Error ? error.message : String(error);
  return new OvhUpstreamError(mapped, `Upstream ${mapped.toLowerCase()} for ${target}: ${detail}`, {
    cause: error,
  });
}
