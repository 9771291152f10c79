// Shapes of the admin API's JSON, as the libs' *View types define them.
export type { AccessRule, HttpMethod } from '../../../../libs/ovh-protocol/src/access-rules';
import type { AccessRule } from '../../../../libs/ovh-protocol/src/access-rules';

export type Role = 'admin' | 'operator' | 'auditor';

export interface Page<T> {
  items: T[];
  total?: number;
  nextCursor?: string | null;
}

export interface Operator {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  status: 'active' | 'disabled';
  totpEnabled: boolean;
  lastLoginAt: string | null;
  createdAt: string;
  disabledAt: string | null;
}

export interface ApiToken {
  id: string;
  operatorId: string;
  name: string;
  role: Role;
  prefix: string;
  ipAllowList: string[];
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
}

export interface Application {
  id: string;
  label: string;
  endpoint: string;
  endpointBaseUrl: string;
  appKey: string;
  description: string | null;
  status: 'active' | 'disabled';
  createdAt: string;
  updatedAt: string;
  disabledAt: string | null;
}

export interface Account {
  id: string;
  displayName: string;
  nichandle: string | null;
  contactName: string | null;
  contactEmail: string | null;
  notes: string | null;
  tags: string[];
  operatorIds: string[];
  createdAt: string;
  updatedAt: string;
  // Summaries the list may carry (counts of consumer keys by state, soonest expiry).
  keySummary?: KeySummary;
  consumerKeys?: ConsumerKey[];
}

export interface KeySummary {
  validated?: number;
  pending?: number;
  expiringSoon?: number;
  expired?: number;
  total?: number;
  nextExpiry?: string | null;
}

export type ConsumerKeyState =
  | 'requesting'
  | 'requestFailed'
  | 'pendingValidation'
  | 'validated'
  | 'refused'
  | 'abandoned'
  | 'expired'
  | 'revoked'
  | 'revocationPending';

export interface ConsumerKey {
  id: string;
  accountId: string;
  applicationId: string;
  state: ConsumerKeyState;
  label: string | null;
  accessRules: AccessRule[];
  allowedIPs: string[] | null;
  validitySeconds: number | null;
  validationUrl: string | null;
  nichandle: string | null;
  requestedAt: string;
  validatedAt: string | null;
  expiresAt?: string | null;
  upstreamExpiresAt?: string | null;
  policyExpiresAt?: string | null;
  revokedAt: string | null;
  expiredAt?: string | null;
  lastError?: string | null;
  lastUseAt?: string | null;
  origin?: string | null;
  renewalOf?: string | null;
  renewedBy?: string | null;
  createdAt: string;
}

export interface RulePreset {
  id: string;
  label: string;
  description: string;
  parameters: { name: string; description: string; pattern: string }[];
  example?: AccessRule[];
}

export type GrantState = 'active' | 'revoked' | 'expired' | 'ended';

export interface Grant {
  id: string;
  accountId: string;
  consumerKeyId: string;
  holder: { type: 'person' | 'tool'; name: string; email: string | null };
  description: string | null;
  accessRules: AccessRule[];
  allowedIPs: string[] | null;
  rateLimitPerMinute: number;
  readOnly: boolean;
  applicationKey: string;
  tokenHint: string;
  status: GrantState;
  expiresAt: string;
  createdAt: string;
  createdBy: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  revokeReason: string | null;
  endedAt: string | null;
  endReason: string | null;
}

export interface GrantCredentials {
  applicationKey: string;
  applicationSecret: string;
  consumerKey: string;
  bearerToken: string;
  // The relay as SDK endpoint, e.g. https://relay.example.net/1.0
  endpoint?: string;
}

export interface CreatedGrant {
  grant: Grant;
  credentials: GrantCredentials;
  // Where the holder points their SDK; the dashboard falls back to a guess.
  endpoint?: string;
  relayUrl?: string;
}

export interface AuditEvent {
  id: string;
  seq?: number | string;
  occurredAt?: string;
  createdAt?: string;
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  objectType: string | null;
  objectId: string | null;
  accountId: string | null;
  result: 'success' | 'failure' | 'denied';
  ip: string | null;
  userAgent?: string | null;
  requestId: string | null;
  metadata: Record<string, unknown> | null;
}

export interface Webhook {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  secret?: string;
}

export interface WebhookDelivery {
  id: string;
  webhookId: string;
  eventId: string;
  event: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  deliveredAt: string | null;
  createdAt: string;
}

export interface GrantSettings {
  maxTtlSeconds: number;
  source: 'setting' | 'environment';
}

export interface RotationJob {
  id: string;
  status: 'running' | 'done' | 'failed';
  reencrypt: boolean;
  targetMasterKeyId: string;
  targetDataKeyId: string | null;
  rewrapped: number;
  resealed: number;
  batches: number;
  columns: Record<string, { done?: boolean; resealed?: number; unreadable?: number } | undefined>;
  retiredDataKeys: string[];
  error: string | null;
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface VaultStatus {
  sealed: boolean;
  sealedReason: string | null;
  activeMasterKeyId: string | null;
  masterKeySource: string | null;
  masterKeys: {
    id: string;
    configured: boolean;
    active: boolean;
    dataKeys: number;
    sealedValues: number;
    canRetire: boolean;
  }[];
  dataKeys: {
    id: string;
    masterKeyId: string;
    active: boolean;
    retired: boolean;
    sealedValues: number;
    reservedSeals: number;
    createdAt: string;
    retiredAt: string | null;
  }[];
  columns: { table: string; column: string; present: boolean; sealedValues: number }[];
  lastRotation: RotationJob | null;
}

export interface HygieneFinding {
  kind: string;
  severity: 'high' | 'medium' | 'low';
  keyId: string | null;
  accountId: string | null;
  accountName: string | null;
  keyLabel: string | null;
  origin: string | null;
  applicationId: string;
  message: string;
  suggestedAction: string;
  fix: { method: 'POST' | 'GET'; path: string; description: string; body?: Record<string, unknown> } | null;
}

export interface HygieneReport {
  generatedAt: string;
  scope: 'all' | 'account';
  accountId: string | null;
  accounts: number;
  keys: number;
  summary: { total: number; bySeverity: Record<string, number>; byKind: Record<string, number> };
  findings: HygieneFinding[];
}
