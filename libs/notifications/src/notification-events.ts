export const CONSUMER_KEY_NOTIFICATION_EVENTS = [
  'consumer_key.validated',
  'consumer_key.expiring',
  'consumer_key.expired',
  'consumer_key.revoked',
  'consumer_key.refused',
  'consumer_key.abandoned',
  'consumer_key.revocation_pending',
] as const;

// Any dotted lowercase name may be emitted (grant.* events come from the relay);
// a webhook filter is an exact name, "<prefix>.*" or "*".
export const EVENT_NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
export const EVENT_FILTER = /^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$/;

export function filterMatches(filters: readonly string[], event: string): boolean {
  return filters.some(
    (f) => f === '*' || f === event || (f.endsWith('.*') && event.startsWith(f.slice(0, -1))),
  );
}
