import type { AccessRule } from '@app/ovh-protocol';
import type { ConsumerKeyOrigin, ConsumerKeyState } from './consumer-key-state';
import type { ConsumerKeyEntity } from './consumer-key.entity';

export interface ConsumerKeyView {
  id: string;
  accountId: string;
  applicationId: string;
  label: string | null;
  state: ConsumerKeyState;
  origin: ConsumerKeyOrigin;
  accessRules: AccessRule[];
  allowedIPs: string[] | null;
  validitySeconds: number | null;
  // Only while the customer still has to validate.
  validationUrl: string | null;
  credentialId: number | null;
  nichandle: string | null;
  upstreamRules: AccessRule[] | null;
  upstreamExpiresAt: Date | null;
  policyExpiresAt: Date | null;
  expiresAt: Date | null;
  lastUseAt: Date | null;
  lastSyncedAt: Date | null;
  lastError: string | null;
  requestedAt: Date;
  validatedAt: Date | null;
  refusedAt: Date | null;
  abandonedAt: Date | null;
  expiredAt: Date | null;
  revokedAt: Date | null;
  revocationTarget: 'revoked' | 'expired' | null;
  revocationAttempts: number;
  renewalOf: string | null;
  renewedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

// The earlier of OVHcloud's own expiration and the broker's policy deadline.
export function effectiveExpiry(
  e: Pick<ConsumerKeyEntity, 'upstreamExpiresAt' | 'policyExpiresAt'>,
): Date | null {
  const dates = [e.upstreamExpiresAt, e.policyExpiresAt].filter((d): d is Date => d instanceof Date);
  if (dates.length === 0) return null;
  return new Date(Math.min(...dates.map((d) => d.getTime())));
}

export function toConsumerKeyView(e: ConsumerKeyEntity): ConsumerKeyView {
  return {
    id: e.id,
    accountId: e.accountId,
    applicationId: e.applicationId,
    label: e.label,
    state: e.state,
    origin: e.origin,
    accessRules: e.accessRules,
    allowedIPs: e.allowedIps,
    validitySeconds: e.validitySeconds,
    validationUrl: e.state === 'pendingValidation' ? e.validationUrl : null,
    credentialId: e.credentialId === null ? null : Number(e.credentialId),
    nichandle: e.nichandle,
    upstreamRules: e.upstreamRules,
    upstreamExpiresAt: e.upstreamExpiresAt,
    policyExpiresAt: e.policyExpiresAt,
    expiresAt: effectiveExpiry(e),
    lastUseAt: e.lastUseAt,
    lastSyncedAt: e.lastSyncedAt,
    lastError: e.lastError,
    requestedAt: e.requestedAt,
    validatedAt: e.validatedAt,
    refusedAt: e.refusedAt,
    abandonedAt: e.abandonedAt,
    expiredAt: e.expiredAt,
    revokedAt: e.revokedAt,
    revocationTarget: e.revocationTarget,
    revocationAttempts: e.revocationAttempts,
    renewalOf: e.renewalOf,
    renewedBy: e.renewedBy,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}
