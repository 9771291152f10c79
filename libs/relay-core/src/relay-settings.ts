import type { ConfigService } from '@nestjs/config';
import type { EnvironmentVariables } from '@app/config';

export interface RelaySettings {
  // The base URL clients are configured with, when the relay sits behind a proxy or TLS terminator.
  publicUrl?: string;
  timestampWindowSec: number;
  maxBodyBytes: number;
  maxResponseBytes: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  upstreamConnectTimeoutMs: number;
  upstreamTimeoutMs: number;
  upstreamConnections: number;
  // bulkhead: upstream calls one delegated account may have in flight at once
  maxInflightPerAccount: number;
  ckRateLimitPerMinute: number;
  cacheTtlMs: number;
  negativeCacheTtlMs: number;
  materialTtlMs: number;
  cacheMaxEntries: number;
  auditFlushMs: number;
  auditBatchSize: number;
  auditMaxPending: number;
  breakerFailureThreshold: number;
  breakerCooldownMs: number;
  redisUrl?: string;
  databaseUrl?: string;
  // exact browser origins (scheme://host[:port]) whose preflights and calls get CORS headers
  corsOrigins: string[];
}

export const RELAY_SETTINGS = Symbol('RELAY_SETTINGS');

export function relaySettingsFromConfig(config: ConfigService<EnvironmentVariables, true>): RelaySettings {
  const get = <K extends keyof EnvironmentVariables>(key: K) => config.get(key, { infer: true });
  const publicUrl = get('RELAY_PUBLIC_URL');
  const redisUrl = get('REDIS_URL');
  const databaseUrl = get('DATABASE_URL');
  const cacheTtlMs = get('RELAY_CACHE_TTL_SECONDS') * 1000;
  return {
    ...(publicUrl ? { publicUrl: publicUrl.replace(/\/+$/, '') } : {}),
    timestampWindowSec: get('RELAY_TIMESTAMP_WINDOW_SECONDS'),
    maxBodyBytes: get('RELAY_MAX_BODY_BYTES'),
    maxResponseBytes: get('RELAY_MAX_RESPONSE_BYTES'),
    headersTimeoutMs: get('RELAY_HEADERS_TIMEOUT_MS'),
    bodyTimeoutMs: get('RELAY_BODY_TIMEOUT_MS'),
    upstreamConnectTimeoutMs: get('RELAY_UPSTREAM_CONNECT_TIMEOUT_MS'),
    upstreamTimeoutMs: get('RELAY_UPSTREAM_TIMEOUT_MS'),
    upstreamConnections: get('RELAY_UPSTREAM_CONNECTIONS'),
    maxInflightPerAccount: get('RELAY_MAX_INFLIGHT_PER_ACCOUNT'),
    ckRateLimitPerMinute: get('RELAY_CK_RATE_LIMIT_PER_MINUTE'),
    cacheTtlMs,
    negativeCacheTtlMs: Math.min(5000, cacheTtlMs),
    // Signing material follows consumer-key state changes made elsewhere: keep it short-lived.
    materialTtlMs: Math.min(30_000, cacheTtlMs),
    cacheMaxEntries: get('RELAY_CACHE_MAX_ENTRIES'),
    auditFlushMs: get('RELAY_AUDIT_FLUSH_MS'),
    auditBatchSize: get('RELAY_AUDIT_BATCH_SIZE'),
    auditMaxPending: get('RELAY_AUDIT_MAX_PENDING'),
    breakerFailureThreshold: get('RELAY_BREAKER_FAILURE_THRESHOLD'),
    breakerCooldownMs: get('RELAY_BREAKER_COOLDOWN_MS'),
    ...(redisUrl ? { redisUrl } : {}),
    ...(databaseUrl ? { databaseUrl } : {}),
    corsOrigins: corsOrigins(get('RELAY_CORS_ORIGINS'), get('PUBLIC_URL'), get('PORT')),
  };
}

// The dashboard (served by the admin API) calls the relay from the browser for its API console.
export function corsOrigins(
  configured: string | undefined,
  publicUrl: string | undefined,
  port: number,
): string[] {
  if (configured) {
    return configured
      .split(',')
      .map((o) => o.trim())
      .filter((o) => o.length > 0)
      .map((o) => new URL(o).origin);
  }
  if (publicUrl) return [new URL(publicUrl).origin];
  return [`http://localhost:${port}`, `http://127.0.0.1:${port}`];
}
