import { EVENT_FILTER, filterMatches } from './notification-events';

describe(filterMatches.name, () => {
  it('matches exact names, prefixes and the wildcard', () => {
    expect(filterMatches(['consumer_key.expired'], 'consumer_key.expired')).toBe(true);
    expect(filterMatches(['consumer_key.*'], 'consumer_key.revoked')).toBe(true);
    expect(filterMatches(['*'], 'grant.issued')).toBe(true);
    expect(filterMatches(['consumer_key.*'], 'grant.issued')).toBe(false);
    expect(filterMatches(['consumer_key.expired'], 'consumer_key.expiring')).toBe(false);
  });

  it('accepts only well-formed filters', () => {
    expect(['*', 'consumer_key.*', 'grant.issued'].every((f) => EVENT_FILTER.test(f))).toBe(true);
    expect(['', 'a b', '*.x', 'Consumer.X'].some((f) => EVENT_FILTER.test(f))).toBe(false);
  });
});
