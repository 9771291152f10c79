import { DomainException } from '@app/common';

// Every consumer-key state and every allowed move, in one table. The service asks
// `nextState(state, event)`; anything not listed here is a 409.
export const CONSUMER_KEY_STATES = [
  'requesting',
  'requestFailed',
  'pendingValidation',
  'validated',
  'refused',
  'abandoned',
  'expired',
  'revoked',
  'revocationPending',
] as const;
export type ConsumerKeyState = (typeof CONSUMER_KEY_STATES)[number];

export const CONSUMER_KEY_EVENTS = [
  'upstreamIssued', // POST /auth/credential answered with a CK
  'upstreamRejected', // POST /auth/credential refused (unknown AK, bad rules...)
  'validated', // currentCredential says validated
  'refused', // the customer came back through the callback without validating
  'abandon', // never completed, still pending after the timeout, or cancelled by an operator
  'expire', // upstream expiration reached, POST /auth/logout by policy, or INVALID_CREDENTIAL
  'revoke', // POST /auth/logout on an operator's request (or after a renewal), or NOT_CREDENTIAL
  'revocationFailed', // upstream unreachable while revoking or expiring: retried by a job
] as const;
export type ConsumerKeyEvent = (typeof CONSUMER_KEY_EVENTS)[number];

export const CONSUMER_KEY_TRANSITIONS: Readonly<
  Record<ConsumerKeyState, Partial<Record<ConsumerKeyEvent, ConsumerKeyState>>>
> = {
  requesting: {
    upstreamIssued: 'pendingValidation',
    upstreamRejected: 'requestFailed',
    abandon: 'abandoned',
  },
  requestFailed: {},
  pendingValidation: { validated: 'validated', refused: 'refused', abandon: 'abandoned' },
  validated: { expire: 'expired', revoke: 'revoked', revocationFailed: 'revocationPending' },
  revocationPending: { expire: 'expired', revoke: 'revoked', revocationFailed: 'revocationPending' },
  refused: {},
  abandoned: {},
  expired: {},
  revoked: {},
};

// Where a row starts: a request goes through the consent flow; an imported key was
// validated by the customer before the broker knew it, so it enters as validated.
export const CONSUMER_KEY_ORIGINS = ['requested', 'imported'] as const;
export type ConsumerKeyOrigin = (typeof CONSUMER_KEY_ORIGINS)[number];
export const INITIAL_STATE: Readonly<Record<ConsumerKeyOrigin, ConsumerKeyState>> = {
  requested: 'requesting',
  imported: 'validated',
};

export const TERMINAL_STATES: readonly ConsumerKeyState[] = CONSUMER_KEY_STATES.filter(
  (s) => Object.keys(CONSUMER_KEY_TRANSITIONS[s]).length === 0,
);

// States in which the CK can still act upstream and must be watched by the jobs.
export const LIVE_STATES: readonly ConsumerKeyState[] = [
  'pendingValidation',
  'validated',
  'revocationPending',
];

export function canTransition(state: ConsumerKeyState, event: ConsumerKeyEvent): boolean {
  return CONSUMER_KEY_TRANSITIONS[state][event] !== undefined;
}

export function nextState(state: ConsumerKeyState, event: ConsumerKeyEvent): ConsumerKeyState {
  const next = CONSUMER_KEY_TRANSITIONS[state][event];
  if (!next) {
    throw new DomainException({
      code: 'CONSUMER_KEY_INVALID_TRANSITION',
      kind: 'conflict',
      message: `A consumer key in state ${state} cannot ${describe(event)}`,
      details: { state, event },
    });
  }
  return next;
}

function describe(event: ConsumerKeyEvent): string {
  switch (event) {
    case 'revoke':
      return 'be revoked';
    case 'expire':
      return 'be expired';
    case 'abandon':
      return 'be abandoned';
    case 'validated':
      return 'become validated';
    case 'refused':
      return 'become refused';
    default:
      return `take the ${event} step`;
  }
}
