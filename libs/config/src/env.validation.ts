import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  validateSync,
  ValidationError,
} from 'class-validator';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase()) : value;
const emptyToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

// Every variable the broker reads. Names here are the names the operator sets;
// a bad value stops the process with a message that names the variable.
export class EnvironmentVariables {
  @IsIn(NODE_ENVS) NODE_ENV: NodeEnv = 'development';
  @IsIn(LOG_LEVELS) LOG_LEVEL: LogLevel = 'info';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ protocols: ['postgres', 'postgresql'], require_tld: false, require_protocol: true })
  DATABASE_URL?: string;

  @IsString() DATA_DIR = './data';

  @Transform(toInt) @IsInt() @Min(0) @Max(65535) PORT = 3000;
  @Transform(toInt) @IsInt() @Min(0) @Max(65535) RELAY_PORT = 3001;
  @Transform(toInt) @IsInt() @Min(0) @Max(65535) EMULATOR_PORT = 3100;
  @IsString() HOST = '0.0.0.0';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  PUBLIC_URL?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  RELAY_PUBLIC_URL?: string;

  @Transform(toInt) @IsInt() @Min(1) @Max(200) DATABASE_POOL_SIZE = 10;
  @Transform(toInt) @IsInt() @Min(100) @Max(600000) DATABASE_STATEMENT_TIMEOUT_MS = 5000;
  @Transform(toInt) @IsInt() @Min(100) @Max(60000) DATABASE_CONNECT_TIMEOUT_MS = 2000;
  @Transform(toBool) @IsBoolean() MIGRATIONS_RUN = true;

  @Transform(toInt) @IsInt() @Min(0) @Max(120000) SHUTDOWN_GRACE_MS = 10000;
  // after SIGTERM, keep serving (not ready, `Connection: close`) this long before closing the listeners
  @Transform(toInt) @IsInt() @Min(0) @Max(120000) SHUTDOWN_DRAIN_MS = 1000;

  // Observability: see docs/operations.md. When set, GET /metrics needs `Authorization: Bearer <token>`.
  @Transform(emptyToUndefined) @IsOptional() @IsString() METRICS_TOKEN?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ protocols: ['redis', 'rediss'], require_tld: false, require_protocol: true })
  REDIS_URL?: string;

  // Grants and the relay: see docs/grants.md and docs/relay.md.
  @Transform(toInt) @IsInt() @Min(60) @Max(31536000) GRANTS_MAX_TTL_SECONDS = 2592000;
  @Transform(toInt) @IsInt() @Min(1) @Max(3600) RELAY_TIMESTAMP_WINDOW_SECONDS = 180;
  @Transform(toInt) @IsInt() @Min(1024) @Max(104857600) RELAY_MAX_BODY_BYTES = 1048576;
  @Transform(toInt) @IsInt() @Min(1024) @Max(1073741824) RELAY_MAX_RESPONSE_BYTES = 10485760;
  @Transform(toInt) @IsInt() @Min(100) @Max(600000) RELAY_HEADERS_TIMEOUT_MS = 10000;
  @Transform(toInt) @IsInt() @Min(100) @Max(600000) RELAY_BODY_TIMEOUT_MS = 10000;
  @Transform(toInt) @IsInt() @Min(100) @Max(600000) RELAY_UPSTREAM_CONNECT_TIMEOUT_MS = 5000;
  @Transform(toInt) @IsInt() @Min(100) @Max(600000) RELAY_UPSTREAM_TIMEOUT_MS = 30000;
  @Transform(toInt) @IsInt() @Min(1) @Max(4096) RELAY_UPSTREAM_CONNECTIONS = 64;
  // Per delegated account: upstream calls in flight at once (bulkhead); over it → 429 ACCOUNT_BUSY.
  @Transform(toInt) @IsInt() @Min(1) @Max(100000) RELAY_MAX_INFLIGHT_PER_ACCOUNT = 32;
  @Transform(toInt) @IsInt() @Min(1) @Max(10000000) RELAY_CK_RATE_LIMIT_PER_MINUTE = 60;
  @Transform(toInt) @IsInt() @Min(1) @Max(3600) RELAY_CACHE_TTL_SECONDS = 60;
  @Transform(toInt) @IsInt() @Min(100) @Max(10000000) RELAY_CACHE_MAX_ENTRIES = 10000;
  @Transform(toInt) @IsInt() @Min(5) @Max(10000) RELAY_AUDIT_FLUSH_MS = 100;
  @Transform(toInt) @IsInt() @Min(1) @Max(10000) RELAY_AUDIT_BATCH_SIZE = 500;
  @Transform(toInt) @IsInt() @Min(10) @Max(10000000) RELAY_AUDIT_MAX_PENDING = 10000;
  @Transform(toInt) @IsInt() @Min(1) @Max(1000) RELAY_BREAKER_FAILURE_THRESHOLD = 5;
  @Transform(toInt) @IsInt() @Min(100) @Max(600000) RELAY_BREAKER_COOLDOWN_MS = 10000;
  // Browser origins allowed to call the relay (the dashboard's API console); default: PUBLIC_URL's origin.
  @Transform(emptyToUndefined) @IsOptional() @IsString() RELAY_CORS_ORIGINS?: string;

  // Vault: see README "Master keys".
  @Transform(emptyToUndefined) @IsOptional() @IsString() MASTER_KEY?: string;
  @Transform(emptyToUndefined) @IsOptional() @IsString() MASTER_KEY_FILE?: string;
  @Transform(emptyToUndefined) @IsOptional() @IsString() MASTER_KEYS?: string;
  @Transform(emptyToUndefined) @IsOptional() @IsString() MASTER_KEY_ID?: string;

  // Background jobs and the consumer-key lifecycle: see docs/consumer-keys.md.
  @Transform(toBool) @IsBoolean() JOBS_ENABLED = true;
  // "job-name=seconds,..." overrides of each job's default period.
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^\s*[a-z0-9][a-z0-9._-]*\s*=\s*\d+(\.\d+)?\s*(,\s*[a-z0-9][a-z0-9._-]*\s*=\s*\d+(\.\d+)?\s*)*$/i)
  JOB_INTERVALS?: string;
  @Matches(/^\s*\d{1,4}(\s*,\s*\d{1,4})*\s*$/) CK_EXPIRY_WARNING_DAYS = '14,3,1';
  @Transform(toInt) @IsInt() @Min(60) CK_PENDING_TIMEOUT_SECONDS = 259200;
  @Transform(toInt) @IsInt() @Min(10) CK_SYNC_INTERVAL_SECONDS = 3600;
  @Transform(toInt) @IsInt() @Min(5) @Max(3600) CK_REQUEST_STALE_SECONDS = 60;
  @Transform(toBool) @IsBoolean() WEBHOOK_ALLOW_PRIVATE = false;
  @Transform(toInt) @IsInt() @Min(1) @Max(50) WEBHOOK_MAX_ATTEMPTS = 8;
  @Transform(toInt) @IsInt() @Min(100) @Max(60000) WEBHOOK_TIMEOUT_MS = 10000;

  // Operators and audit: see docs/operators.md and docs/audit.md.
  @Transform(toInt) @IsInt() @Min(60) @Max(86400) ACCESS_TOKEN_TTL_SECONDS = 900;
  @Transform(toInt) @IsInt() @Min(300) @Max(7776000) REFRESH_TOKEN_TTL_SECONDS = 604800;
  @Transform(toInt) @IsInt() @Min(1) @Max(1000) LOGIN_MAX_FAILURES = 5;
  @Transform(toInt) @IsInt() @Min(1) @Max(100000) LOGIN_MAX_FAILURES_PER_IP = 50;
  @Transform(toInt) @IsInt() @Min(1) @Max(86400) LOGIN_LOCKOUT_SECONDS = 900;
  @Transform(toInt) @IsInt() @Min(1) @Max(16) PASSWORD_HASH_CONCURRENCY = 2;
  @Transform(toInt) @IsInt() @Min(1) @Max(3650) API_TOKEN_MAX_DAYS = 365;
  @Transform(toInt) @IsInt() @Min(0) @Max(36500) AUDIT_RETENTION_DAYS = 0;
}

// Names whose values must never be logged or echoed back.
export const SENSITIVE_ENV_VARS: ReadonlySet<string> = new Set([
  'MASTER_KEY',
  'MASTER_KEYS',
  'DATABASE_URL',
  'REDIS_URL',
  'METRICS_TOKEN',
]);

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

function describe(errors: ValidationError[]): string[] {
  return errors.map((e) => {
    const reasons = Object.values(e.constraints ?? {}).map((r) => r.replace(e.property, '').trim());
    const shown = SENSITIVE_ENV_VARS.has(e.property) ? '(hidden)' : JSON.stringify(e.value);
    return `${e.property}=${shown}: ${reasons.join('; ') || 'invalid value'}`;
  });
}

export function validateEnvironment(raw: Record<string, unknown>): EnvironmentVariables {
  const env = plainToInstance(EnvironmentVariables, raw, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false, whitelist: false });
  if (errors.length > 0) throw new ConfigValidationError(describe(errors));
  return env;
}
