import type { AccessRule } from '@app/ovh-protocol';
import type { GrantEntity, GrantHolderType, GrantState } from './grant.entity';

// What the admin API shows about a grant: never the minted secret, consumer key or token.
export interface GrantView {
  id: string;
  accountId: string;
  consumerKeyId: string;
  holder: { type: GrantHolderType; name: string; email: string | null };
  description: string | null;
  accessRules: AccessRule[];
  allowedIPs: string[] | null;
  rateLimitPerMinute: number;
  readOnly: boolean;
  applicationKey: string;
  tokenHint: string;
  status: GrantState;
  expiresAt: Date;
  createdAt: Date;
  createdBy: string | null;
  revokedAt: Date | null;
  revokedBy: string | null;
  revokeReason: string | null;
  endedAt: Date | null;
  endReason: string | null;
}

// An active row past its expiry reads as expired even before the sweep job flips it.
export function effectiveGrantState(grant: Pick<GrantEntity, 'state' | 'expiresAt'>, now: Date): GrantState {
  if (grant.state === 'active' && grant.expiresAt.getTime() <= now.getTime()) return 'expired';
  return grant.state;
}

export function toGrantView(grant: GrantEntity, now: Date): GrantView {
  return {
    id: grant.id,
    accountId: grant.accountId,
    consumerKeyId: grant.consumerKeyId,
    holder: { type: grant.holderType, name: grant.holderName, email: grant.holderEmail },
    description: grant.description,
    accessRules: grant.accessRules,
    allowedIPs: grant.allowedIps,
    rateLimitPerMinute: grant.rateLimitPerMinute,
    readOnly: grant.readOnly,
    applicationKey: grant.appKey,
    tokenHint: grant.tokenHint,
    status: effectiveGrantState(grant, now),
    expiresAt: grant.expiresAt,
    createdAt: grant.createdAt,
    createdBy: grant.createdBy,
    revokedAt: grant.revokedAt,
    revokedBy: grant.revokedBy,
    revokeReason: grant.revokeReason,
    endedAt: grant.endedAt,
    endReason: grant.endReason,
  };
}
