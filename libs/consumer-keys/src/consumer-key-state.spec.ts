import { DomainException } from '@app/common';
import {
  canTransition,
  CONSUMER_KEY_EVENTS,
  CONSUMER_KEY_STATES,
  CONSUMER_KEY_TRANSITIONS,
  type ConsumerKeyEvent,
  type ConsumerKeyState,
  nextState,
  TERMINAL_STATES,
} from './consumer-key-state';

const allowed: Array<[ConsumerKeyState, ConsumerKeyEvent, ConsumerKeyState]> = [
  ['requesting', 'upstreamIssued', 'pendingValidation'],
  ['requesting', 'upstreamRejected', 'requestFailed'],
  ['requesting', 'abandon', 'abandoned'],
  ['pendingValidation', 'validated', 'validated'],
  ['pendingValidation', 'refused', 'refused'],
  ['pendingValidation', 'abandon', 'abandoned'],
  ['validated', 'expire', 'expired'],
  ['validated', 'revoke', 'revoked'],
  ['validated', 'revocationFailed', 'revocationPending'],
  ['revocationPending', 'expire', 'expired'],
  ['revocationPending', 'revoke', 'revoked'],
  ['revocationPending', 'revocationFailed', 'revocationPending'],
];

describe('consumer-key state machine', () => {
  it.each(allowed)('%s --%s--> %s', (from, event, to) => {
    expect(canTransition(from, event)).toBe(true);
    expect(nextState(from, event)).toBe(to);
  });

  it('lists exactly the transitions tested above', () => {
    const table = CONSUMER_KEY_STATES.flatMap((s) =>
      Object.entries(CONSUMER_KEY_TRANSITIONS[s]).map(([e, to]) => [s, e, to]),
    );
    expect(table).toHaveLength(allowed.length);
  });

  const forbidden = CONSUMER_KEY_STATES.flatMap((s) =>
    CONSUMER_KEY_EVENTS.filter((e) => !allowed.some(([f, ev]) => f === s && ev === e)).map(
      (e) => [s, e] as const,
    ),
  );

  it.each(forbidden)('refuses %s --%s with a 409 CONSUMER_KEY_INVALID_TRANSITION', (from, event) => {
    expect(canTransition(from, event)).toBe(false);
    let error: unknown;
    try {
      nextState(from, event);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainException);
    expect(error).toMatchObject({ code: 'CONSUMER_KEY_INVALID_TRANSITION', kind: 'conflict' });
  });

  it('has no way out of refused, abandoned, expired, revoked or requestFailed', () => {
    expect([...TERMINAL_STATES].sort()).toEqual(
      ['abandoned', 'expired', 'refused', 'requestFailed', 'revoked'].sort(),
    );
  });
});
