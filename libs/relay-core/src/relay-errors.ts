import { httpStatusLine, OVH_ERRORS, type OvhErrorSpec } from '@app/ovh-protocol';

// Every refusal the relay itself produces. The body is OVHcloud's legacy error format
// ({errorCode, httpCode, message}) so the SDKs raise their usual exceptions (python-ovh maps
// 403s by errorCode); the X-Relay-Error header carries the relay's own reason, which tells a
// broker refusal from an upstream one (upstream answers never carry it).
export interface RelayRefusal {
  relayError: string;
  spec: OvhErrorSpec;
  retryAfterSeconds?: number;
}

function refusal(relayError: string, spec: OvhErrorSpec, message?: string): RelayRefusal {
  return { relayError, spec: message ? { ...spec, message } : spec };
}

export const RelayRefusals = {
  invalidPath: (message: string) =>
    refusal('INVALID_PATH', {
      status: 400,
      errorCode: 'INVALID_PATH',
      message: `Invalid request path: ${message}`,
    }),
  methodNotAllowed: () =>
    refusal('METHOD_NOT_ALLOWED', {
      status: 405,
      errorCode: 'METHOD_NOT_ALLOWED',
      message: 'Method not allowed',
    }),
  upgradeRefused: () =>
    refusal('UPGRADE_NOT_SUPPORTED', {
      status: 400,
      errorCode: 'UPGRADE_NOT_SUPPORTED',
      message: 'Protocol upgrades are not supported',
    }),
  badHeaders: (message: string) =>
    refusal('INVALID_HEADER', { status: 400, errorCode: 'INVALID_HEADER', message }),
  bodyTooLarge: (limit: number) =>
    refusal('BODY_TOO_LARGE', {
      status: 413,
      errorCode: 'BODY_TOO_LARGE',
      message: `Request body exceeds ${limit} bytes`,
    }),
  bodyTimeout: () =>
    refusal('BODY_TIMEOUT', {
      status: 408,
      errorCode: 'REQUEST_TIMEOUT',
      message: 'Request body not received in time',
    }),
  bodyNotExpected: () => refusal('BODY_NOT_EXPECTED', OVH_ERRORS.BODY_NOT_EXPECTED),
  notAuthenticated: () => refusal('NOT_AUTHENTICATED', OVH_ERRORS.NOT_AUTHENTICATED),
  invalidToken: () =>
    refusal('INVALID_TOKEN', { status: 401, errorCode: 'INVALID_TOKEN', message: 'Invalid bearer token' }),
  invalidKey: () => refusal('GRANT_UNKNOWN_KEY', OVH_ERRORS.INVALID_KEY),
  notCredential: () => refusal('GRANT_UNKNOWN_CONSUMER_KEY', OVH_ERRORS.NOT_CREDENTIAL),
  timeOut: () => refusal('TIMESTAMP_OUT_OF_WINDOW', OVH_ERRORS.QUERY_TIME_OUT),
  badSignature: () => refusal('INVALID_SIGNATURE', OVH_ERRORS.INVALID_SIGNATURE),
  grantRevoked: () => refusal('GRANT_REVOKED', OVH_ERRORS.INVALID_CREDENTIAL),
  grantExpired: () => refusal('GRANT_EXPIRED', OVH_ERRORS.INVALID_CREDENTIAL),
  grantEnded: () => refusal('GRANT_ENDED', OVH_ERRORS.INVALID_CREDENTIAL),
  consumerKeyUnusable: () => refusal('CONSUMER_KEY_NOT_USABLE', OVH_ERRORS.INVALID_CREDENTIAL),
  ipNotAllowed: () => refusal('IP_NOT_ALLOWED', OVH_ERRORS.IP_NOT_ALLOWED),
  notGrantedByGrant: () => refusal('NOT_GRANTED_BY_GRANT', OVH_ERRORS.NOT_GRANTED_CALL),
  notGrantedByConsumerKey: () => refusal('NOT_GRANTED_BY_CONSUMER_KEY', OVH_ERRORS.NOT_GRANTED_CALL),
  readOnly: () =>
    refusal(
      'GRANT_READ_ONLY',
      OVH_ERRORS.NOT_GRANTED_CALL,
      'This call has not been granted (read-only grant)',
    ),
  authRouteRefused: () =>
    refusal(
      'AUTH_ROUTE_NOT_RELAYED',
      OVH_ERRORS.NOT_GRANTED_CALL,
      'This /auth route is not available through the relay',
    ),
  credentialRequestRefused: () =>
    refusal('CREDENTIAL_REQUEST_REFUSED', {
      status: 403,
      errorCode: 'NOT_GRANTED_CALL',
      message:
        'The relay does not issue consumer keys: ask a broker operator for a grant, which comes with its own credentials',
    }),
  rateLimited: (scope: 'grant' | 'consumer_key', retryAfterSeconds: number): RelayRefusal => ({
    relayError: scope === 'grant' ? 'RATE_LIMITED_GRANT' : 'RATE_LIMITED_CONSUMER_KEY',
    spec: {
      status: 429,
      errorCode: 'TOO_MANY_REQUESTS',
      message:
        scope === 'grant'
          ? 'Too many requests for this grant'
          : 'Too many requests for this consumer key (OVHcloud fair use)',
    },
    retryAfterSeconds,
  }),
  // The account's bulkhead is full: its own slow calls hold every slot it may use.
  accountBusy: (retryAfterSeconds: number): RelayRefusal => ({
    relayError: 'ACCOUNT_BUSY',
    spec: {
      status: 429,
      errorCode: 'TOO_MANY_REQUESTS',
      message: 'Too many calls in flight for this account; try again shortly',
    },
    retryAfterSeconds,
  }),
  auditUnavailable: (): RelayRefusal => ({
    relayError: 'AUDIT_UNAVAILABLE',
    spec: {
      status: 503,
      errorCode: 'SERVICE_UNAVAILABLE',
      message: 'The relay cannot record calls right now and refuses them until it can',
    },
    retryAfterSeconds: 1,
  }),
  unavailable: (message: string): RelayRefusal => ({
    relayError: 'RELAY_UNAVAILABLE',
    spec: { status: 503, errorCode: 'SERVICE_UNAVAILABLE', message },
    retryAfterSeconds: 1,
  }),
  circuitOpen: (retryAfterSeconds: number): RelayRefusal => ({
    relayError: 'UPSTREAM_CIRCUIT_OPEN',
    spec: {
      status: 503,
      errorCode: 'SERVICE_UNAVAILABLE',
      message: 'The OVHcloud API is failing; try again later',
    },
    retryAfterSeconds,
  }),
  upstreamUnreachable: () =>
    refusal('UPSTREAM_UNREACHABLE', {
      status: 502,
      errorCode: 'BAD_GATEWAY',
      message: 'The OVHcloud API is unreachable',
    }),
  upstreamTimeout: () =>
    refusal('UPSTREAM_TIMEOUT', {
      status: 504,
      errorCode: 'GATEWAY_TIMEOUT',
      message: 'The OVHcloud API did not answer in time',
    }),
  upstreamTooLarge: (limit: number) =>
    refusal('UPSTREAM_RESPONSE_TOO_LARGE', {
      status: 502,
      errorCode: 'BAD_GATEWAY',
      message: `The OVHcloud API answer exceeds ${limit} bytes`,
    }),
  upstreamRedirect: () =>
    refusal('UPSTREAM_REDIRECT', {
      status: 502,
      errorCode: 'BAD_GATEWAY',
      message: 'The OVHcloud API answered with a redirect, which the relay does not follow',
    }),
  upstreamInvalid: () =>
    refusal('UPSTREAM_INVALID_RESPONSE', {
      status: 502,
      errorCode: 'BAD_GATEWAY',
      message: 'The OVHcloud API answer was malformed',
    }),
};

export function refusalBody(r: RelayRefusal): string {
  const body: Record<string, string> = {};
  if (r.spec.errorCode) body.errorCode = r.spec.errorCode;
  body.httpCode = httpStatusLine(r.spec.status);
  body.message = r.spec.message;
  return JSON.stringify(body);
}
