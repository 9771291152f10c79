import { ipInBlocks } from '@app/grants';
import { type AccessRule, isCallGranted } from '@app/ovh-protocol';
import type { CachedGrant } from './relay-lookups.service';
import { type RelayRefusal, RelayRefusals } from './relay-errors';

export function grantLifecycleRefusal(grant: CachedGrant, nowMs: number): RelayRefusal | null {
  if (grant.state === 'revoked') return RelayRefusals.grantRevoked();
  if (grant.state === 'ended') return RelayRefusals.grantEnded();
  if (grant.state === 'expired' || grant.expiresAt <= nowMs) return RelayRefusals.grantExpired();
  return null;
}

export function ipRefusal(grant: CachedGrant, remoteAddress: string | undefined): RelayRefusal | null {
  if (!grant.cidrs) return null;
  return ipInBlocks(remoteAddress, grant.cidrs) ? null : RelayRefusals.ipNotAllowed();
}

// A call passes only if both the grant's rules and the consumer key's rules grant it (the
// grant's are a subset by construction, but the CK's may have shrunk since). HEAD follows
// GET's rules. `path` is relative to the API branch, without the query.
export function rulesRefusal(
  grant: CachedGrant,
  consumerKeyRules: readonly AccessRule[],
  method: string,
  path: string,
): RelayRefusal | null {
  const ruleMethod = method === 'HEAD' ? 'GET' : method;
  if (grant.readOnly && ruleMethod !== 'GET') return RelayRefusals.readOnly();
  if (!isCallGranted(grant.accessRules, ruleMethod, path)) return RelayRefusals.notGrantedByGrant();
  if (!isCallGranted(consumerKeyRules, ruleMethod, path)) return RelayRefusals.notGrantedByConsumerKey();
  return null;
}
