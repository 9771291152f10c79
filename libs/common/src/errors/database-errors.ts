import { DomainException } from './domain.exception';

// Postgres SQLSTATEs that mean "the database cannot serve this now" rather than
// "this request is wrong": class 08 (connection), 53300 too many connections,
// 57P01-57P03 shutdown / starting up, 57014 statement timeout, 55P03 lock timeout.
const UNAVAILABLE_SQLSTATE = /^(08\d{3}|53300|57P0[1-3])$/;
const TIMEOUT_SQLSTATE = new Set(['57014', '55P03']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
// pg, pg-pool and TypeORM report these without a code
const UNAVAILABLE_MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /connection terminated/i,
  /not queryable/i,
  /cannot use a pool after calling end/i,
  /connection is not established/i,
  /the database system is (starting up|shutting down)/i,
];

// A pg/TypeORM failure that means the database is down, overloaded or too slow,
// as a 503 DomainException (DATABASE_UNAVAILABLE or DATABASE_TIMEOUT); otherwise
// undefined. Looks through TypeORM's driverError, AggregateError and `cause`.
export function toDatabaseException(e: unknown): DomainException | undefined {
  if (e instanceof DomainException || isHttpException(e)) return undefined;
  const kind = classify(e, 0);
  if (!kind) return undefined;
  return kind === 'timeout'
    ? new DomainException({
        code: 'DATABASE_TIMEOUT',
        kind: 'unavailable',
        message: 'The database took too long to answer; try again shortly',
        retryAfterSeconds: 1,
        cause: e,
      })
    : new DomainException({
        code: 'DATABASE_UNAVAILABLE',
        kind: 'unavailable',
        message: 'The database is unavailable; try again shortly',
        retryAfterSeconds: 1,
        cause: e,
      });
}

function classify(e: unknown, depth: number): 'unavailable' | 'timeout' | undefined {
  if (depth > 4 || typeof e !== 'object' || e === null) return undefined;
  const { code, message, driverError, errors, cause } = e as {
    code?: unknown;
    message?: unknown;
    driverError?: unknown;
    errors?: unknown;
    cause?: unknown;
  };
  if (typeof code === 'string') {
    if (TIMEOUT_SQLSTATE.has(code)) return 'timeout';
    if (UNAVAILABLE_SQLSTATE.test(code) || NETWORK_CODES.has(code)) return 'unavailable';
  }
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((re) => re.test(message)))
    return 'unavailable';
  for (const inner of [driverError, cause, ...(Array.isArray(errors) ? errors : [])]) {
    const found = classify(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function isHttpException(e: unknown): boolean {
  return (
    typeof e === 'object' && e !== null && typeof (e as { getStatus?: unknown }).getStatus === 'function'
  );
}
