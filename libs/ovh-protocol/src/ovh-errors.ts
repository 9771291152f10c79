import { STATUS_CODES } from 'node:http';

export type OvhErrorStyle = 'legacy' | 'current';

export interface OvhErrorSpec {
  status: number;
  errorCode?: string;
  message: string;
  class?: string;
}

export interface LegacyOvhErrorBody {
  errorCode?: string;
  httpCode: string;
  message: string;
}

export interface CurrentOvhErrorBody {
  class: string;
  message: string;
  details?: Record<string, string>;
}

export type OvhErrorBody = LegacyOvhErrorBody | CurrentOvhErrorBody;

// ovh-api.md §5.2. Messages marked [UNK] there (QUERY_TIME_OUT, the allowedIPs refusal) are our choice.
export const OVH_ERRORS = {
  INVALID_SIGNATURE: {
    status: 400,
    errorCode: 'INVALID_SIGNATURE',
    message: 'Invalid signature',
    class: 'Client::BadRequest',
  },
  QUERY_TIME_OUT: {
    status: 400,
    errorCode: 'QUERY_TIME_OUT',
    message: 'Query out of time',
    class: 'Client::BadRequest',
  },
  INVALID_KEY: {
    status: 403,
    errorCode: 'INVALID_KEY',
    message: 'Invalid application key',
    class: 'Client::Forbidden',
  },
  NOT_CREDENTIAL: {
    status: 403,
    errorCode: 'NOT_CREDENTIAL',
    message: 'This credential does not exist',
    class: 'Client::Forbidden',
  },
  INVALID_CREDENTIAL: {
    status: 403,
    errorCode: 'INVALID_CREDENTIAL',
    message: 'This credential is not valid',
    class: 'Client::Forbidden',
  },
  NOT_GRANTED_CALL: {
    status: 403,
    errorCode: 'NOT_GRANTED_CALL',
    message: 'This call has not been granted',
    class: 'Client::Forbidden',
  },
  IP_NOT_ALLOWED: {
    status: 403,
    errorCode: 'FORBIDDEN',
    message: 'This IP address is not allowed to use this credential',
    class: 'Client::Forbidden',
  },
  NOT_AUTHENTICATED: { status: 401, message: 'You must login first', class: 'Client::Unauthorized' },
  BODY_NOT_EXPECTED: {
    status: 400,
    message: 'You provided an input body while none was expected',
    class: 'Client::BadRequest',
  },
  INVALID_URL: { status: 404, message: 'Got an invalid (or empty) URL', class: 'Client::NotFound' },
} as const satisfies Record<string, OvhErrorSpec>;

export type OvhErrorName = keyof typeof OVH_ERRORS;

export function httpStatusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? 'Unknown'}`;
}

export function defaultOvhErrorClass(status: number): string {
  const side = status >= 500 ? 'Server' : 'Client';
  const reason = (STATUS_CODES[status] ?? 'Error').replace(/[^A-Za-z]/g, '');
  return `${side}::${reason}`;
}

export function ovhErrorBody(style: OvhErrorStyle, spec: OvhErrorSpec): OvhErrorBody {
  if (style === 'legacy') {
    const body: LegacyOvhErrorBody = { httpCode: httpStatusLine(spec.status), message: spec.message };
    return spec.errorCode ? { errorCode: spec.errorCode, ...body } : body;
  }
  return { class: spec.class ?? defaultOvhErrorClass(spec.status), message: spec.message };
}

export type OvhErrorKind =
  | 'credential-invalid'
  | 'not-credential'
  | 'not-granted'
  | 'invalid-key'
  | 'signature'
  | 'time'
  | 'not-authenticated'
  | 'ip-not-allowed'
  | 'other';

export interface ParsedOvhError {
  status: number;
  errorCode?: string;
  class?: string;
  message: string;
  queryId?: string;
  details?: Record<string, unknown>;
  kind: OvhErrorKind;
}

export type HeaderBag = Record<string, string | string[] | undefined> | Headers | undefined;

export function readHeader(headers: HeaderBag, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof Headers !== 'undefined' && headers instanceof Headers) return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

export function parseOvhError(status: number, bodyText: string, headers?: HeaderBag): ParsedOvhError {
  const queryId = readHeader(headers, 'x-ovh-queryid');
  let errorCode: string | undefined;
  let errorClass: string | undefined;
  let message = bodyText.trim();
  let details: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      const record = parsed as Record<string, unknown>;
      if (typeof record.errorCode === 'string') errorCode = record.errorCode;
      if (typeof record.class === 'string') errorClass = record.class;
      if (typeof record.message === 'string') message = record.message;
      if (typeof record.details === 'object' && record.details !== null) {
        details = record.details as Record<string, unknown>;
      }
    }
  } catch {
    // Not JSON (proxy page, empty body): keep the text as the message.
  }
  if (!message) message = httpStatusLine(status);
  const kind = classifyOvhError(status, errorCode, message);
  return {
    status,
    ...(errorCode ? { errorCode } : {}),
    ...(errorClass ? { class: errorClass } : {}),
    message,
    ...(queryId ? { queryId } : {}),
    ...(details ? { details } : {}),
    kind,
  };
}

// The current error format dropped errorCode, so fall back on status + message (ovh-api.md §5.1).
export function classifyOvhError(
  status: number,
  errorCode: string | undefined,
  message: string,
): OvhErrorKind {
  switch (errorCode) {
    case 'INVALID_CREDENTIAL':
      return 'credential-invalid';
    case 'NOT_CREDENTIAL':
      return 'not-credential';
    case 'NOT_GRANTED_CALL':
      return 'not-granted';
    case 'INVALID_KEY':
      return 'invalid-key';
    case 'INVALID_SIGNATURE':
      return 'signature';
    case 'QUERY_TIME_OUT':
      return 'time';
  }
  const text = message.toLowerCase();
  if (status === 401 && text.includes('must login')) return 'not-authenticated';
  if (status === 400) {
    if (text.includes('invalid signature')) return 'signature';
    if (/(query|request).*(out of time|time ?out|expired|too old)|timestamp/.test(text)) return 'time';
  }
  if (status === 403) {
    if (text.includes('credential is not valid')) return 'credential-invalid';
    if (text.includes('credential does not exist')) return 'not-credential';
    if (text.includes('has not been granted')) return 'not-granted';
    if (text.includes('invalid application key')) return 'invalid-key';
    if (text.includes('ip address is not allowed')) return 'ip-not-allowed';
  }
  return 'other';
}
