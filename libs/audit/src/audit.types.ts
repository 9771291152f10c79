export type AuditActorType = 'operator' | 'api_token' | 'grant' | 'system' | 'anonymous';
export type AuditResult = 'success' | 'failure' | 'denied';

export interface AuditActor {
  type: AuditActorType;
  id?: string;
  label?: string;
}

export interface AuditEventInput {
  actor: AuditActor;
  action: string; // e.g. 'auth.login', 'consumer_key.requested'
  objectType?: string;
  objectId?: string;
  accountId?: string;
  result: AuditResult;
  ip?: string;
  userAgent?: string;
  requestId?: string;
  metadata?: Record<string, unknown>;
}

// Who and from where, taken from a request; spread it into an AuditEventInput.
export interface AuditContext {
  actor: AuditActor;
  ip?: string;
  userAgent?: string;
  requestId?: string;
}
