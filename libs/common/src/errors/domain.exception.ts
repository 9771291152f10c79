// Libs throw only DomainException (never HttpException). The kind decides the
// HTTP status in each app's filter, so a new error code needs no app change.
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unprocessable'
  | 'rate_limited'
  | 'unavailable'
  | 'upstream'
  | 'upstream_timeout';

export interface DomainExceptionInit {
  code: string;
  kind: ErrorKind;
  message: string;
  details?: Record<string, unknown>;
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class DomainException extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly details?: Record<string, unknown>;
  readonly retryAfterSeconds?: number;

  constructor(init: DomainExceptionInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'DomainException';
    this.code = init.code;
    this.kind = init.kind;
    this.details = init.details;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

export const ERROR_KIND_STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
  upstream: 502,
  upstream_timeout: 504,
};

export function isDomainException(e: unknown): e is DomainException {
  return e instanceof DomainException;
}
