import { api, type RequestOptions } from './client';
import type { TokenSet } from './session';
import type {
  AccessRule,
  Account,
  ApiToken,
  Application,
  AuditEvent,
  ConsumerKey,
  CreatedGrant,
  Grant,
  GrantSettings,
  HygieneReport,
  Operator,
  Page,
  Role,
  RulePreset,
  VaultStatus,
  RotationJob,
  Webhook,
  WebhookDelivery,
} from './types';

// Lists may come bare or wrapped ({items}); the dashboard accepts both.
export function itemsOf<T>(value: T[] | Page<T> | { data: T[] } | undefined): T[] {
  if (!value) return [];
  if (Array.isArray(value)) return value;
  if ('items' in value && Array.isArray(value.items)) return value.items;
  if ('data' in value && Array.isArray(value.data)) return value.data;
  return [];
}

const get = <T>(path: string, options: RequestOptions = {}) => api<T>(path, options);
const post = <T>(path: string, body: unknown = {}, options: RequestOptions = {}) =>
  api<T>(path, { ...options, method: 'POST', body });
const patch = <T>(path: string, body: unknown) => api<T>(path, { method: 'PATCH', body });
const put = <T>(path: string, body: unknown) => api<T>(path, { method: 'PUT', body });
const del = <T>(path: string) => api<T>(path, { method: 'DELETE' });
const id = encodeURIComponent;

export type LoginResult = ({ mfaRequired: false } & TokenSet) | { mfaRequired: true; mfaToken: string };

export interface TotpEnrolment {
  otpauthUri: string;
  qrCodeDataUrl?: string;
  secret: string;
}

export const Auth = {
  login: (email: string, password: string) =>
    post<LoginResult>('/auth/login', { email, password }, { auth: false }),
  verify2fa: (mfaToken: string, factor: { code?: string; recoveryCode?: string }) =>
    post<TokenSet>('/auth/2fa/verify', { mfaToken, ...factor }, { auth: false }),
  enrol2fa: () => post<TotpEnrolment>('/auth/2fa/enrol'),
  confirm2fa: (code: string) => post<{ recoveryCodes: string[] }>('/auth/2fa/confirm', { code }),
  disable2fa: (factor: { code?: string; recoveryCode?: string }) => post<void>('/auth/2fa/disable', factor),
  setup: (body: { setupToken: string; email: string; displayName: string; password: string }) =>
    post<Operator & Partial<TokenSet>>('/setup', body, { auth: false }),
  logout: () => api<void>('/auth/logout', { method: 'POST' }),
};

export const Operators = {
  list: () => get<Operator[] | Page<Operator>>('/operators').then(itemsOf),
  create: (body: { email: string; displayName: string; role: Role; password?: string }) =>
    post<Operator & { initialPassword?: string }>('/operators', body),
  update: (opId: string, body: { displayName?: string; role?: Role }) =>
    patch<Operator>(`/operators/${id(opId)}`, body),
  disable: (opId: string) => post<Operator>(`/operators/${id(opId)}/disable`),
  enable: (opId: string) => post<Operator>(`/operators/${id(opId)}/enable`),
  reset2fa: (opId: string) => post<void>(`/operators/${id(opId)}/2fa/reset`),
};

export const ApiTokens = {
  list: () => get<ApiToken[] | Page<ApiToken>>('/api-tokens').then(itemsOf),
  create: (body: { name: string; role?: Role; expiresInDays: number; ipAllowList?: string[] }) =>
    post<ApiToken & { token: string }>('/api-tokens', body),
  revoke: (tokenId: string) => del<ApiToken>(`/api-tokens/${id(tokenId)}`),
};

export const SecuritySettings = {
  get: () => get<{ require2fa: boolean }>('/settings/security'),
  update: (body: { require2fa: boolean }) => put<{ require2fa: boolean }>('/settings/security', body),
};

export const Applications = {
  list: () => get<Application[] | Page<Application>>('/applications').then(itemsOf),
  endpoints: () =>
    get<{ name: string; baseUrl: string }[] | Page<{ name: string; baseUrl: string }>>(
      '/applications/endpoints',
    ).then(itemsOf),
  create: (body: {
    label: string;
    endpoint: string;
    appKey: string;
    appSecret: string;
    description?: string;
  }) => post<Application>('/applications', body),
  disable: (appId: string) => post<Application>(`/applications/${id(appId)}/disable`),
};

export const Accounts = {
  list: (query?: Record<string, string>) =>
    get<Account[] | Page<Account>>('/accounts', { query }).then(itemsOf),
  get: (accountId: string) => get<Account>(`/accounts/${id(accountId)}`),
  create: (body: {
    displayName: string;
    contactName?: string;
    contactEmail?: string;
    notes?: string;
    tags?: string[];
  }) => post<Account>('/accounts', body),
  update: (accountId: string, body: Partial<Account>) => patch<Account>(`/accounts/${id(accountId)}`, body),
  // Admins: the operators who work on this account (replaces the whole list).
  setOperators: (accountId: string, operatorIds: string[]) =>
    put<Account>(`/accounts/${id(accountId)}/operators`, { operatorIds }),
};

export interface ConsumerKeyRequest {
  applicationId: string;
  label?: string;
  accessRules: AccessRule[];
  validitySeconds?: number | null;
  allowedIPs?: string[] | null;
  redirection?: string;
}

export const ConsumerKeys = {
  list: (accountId: string) =>
    get<ConsumerKey[] | Page<ConsumerKey>>(`/accounts/${id(accountId)}/consumer-keys`).then(itemsOf),
  get: (accountId: string, ckId: string) =>
    get<ConsumerKey>(`/accounts/${id(accountId)}/consumer-keys/${id(ckId)}`),
  request: (accountId: string, body: ConsumerKeyRequest, idempotencyKey: string) =>
    post<ConsumerKey>(`/accounts/${id(accountId)}/consumer-keys`, body, {
      headers: { 'Idempotency-Key': idempotencyKey },
    }),
  // Re-reads the key from OVHcloud (GET /auth/currentCredential).
  sync: (accountId: string, ckId: string) =>
    post<ConsumerKey>(`/accounts/${id(accountId)}/consumer-keys/${id(ckId)}/sync`),
  renew: (accountId: string, ckId: string, idempotencyKey: string) =>
    post<ConsumerKey>(
      `/accounts/${id(accountId)}/consumer-keys/${id(ckId)}/renew`,
      {},
      { headers: { 'Idempotency-Key': idempotencyKey } },
    ),
  revoke: (accountId: string, ckId: string) =>
    post<ConsumerKey>(`/accounts/${id(accountId)}/consumer-keys/${id(ckId)}/revoke`),
  // A narrower successor, pending validation; the key is revoked once the customer validates it.
  replace: (accountId: string, ckId: string, body: KeyReplacement, idempotencyKey: string) =>
    post<ConsumerKey>(`/accounts/${id(accountId)}/consumer-keys/${id(ckId)}/replace`, body, {
      headers: { 'Idempotency-Key': idempotencyKey },
    }),
  // An existing key, checked upstream before anything is stored.
  import: (accountId: string, body: KeyImport) =>
    post<ConsumerKey & { applicationRegistered: boolean }>(
      `/accounts/${id(accountId)}/consumer-keys/import`,
      body,
    ),
  presets: () => get<RulePreset[] | Page<RulePreset>>('/rule-presets').then(itemsOf),
};

export interface KeyReplacement {
  accessRules?: AccessRule[];
  validitySeconds?: number | null;
  allowedIPs?: string[] | null;
  label?: string;
}

export type KeyImport = (
  | { endpoint: string; applicationKey: string; applicationSecret: string; consumerKey: string }
  | { ovhConf: string }
) & { label?: string; validitySeconds?: number | null };

export interface GrantRequest {
  consumerKeyId: string;
  holder: { type: 'person' | 'tool'; name: string; email?: string | null };
  description?: string | null;
  accessRules: AccessRule[];
  ttlSeconds?: number;
  allowedIPs?: string[] | null;
  rateLimitPerMinute?: number;
  readOnly?: boolean;
}

export const Grants = {
  list: (accountId: string) => get<Grant[] | Page<Grant>>(`/accounts/${id(accountId)}/grants`).then(itemsOf),
  get: (accountId: string, grantId: string) => get<Grant>(`/accounts/${id(accountId)}/grants/${id(grantId)}`),
  create: (accountId: string, body: GrantRequest) =>
    post<CreatedGrant>(`/accounts/${id(accountId)}/grants`, body),
  revoke: (accountId: string, grantId: string, reason?: string) =>
    post<Grant>(`/accounts/${id(accountId)}/grants/${id(grantId)}/revoke`, reason ? { reason } : {}),
};

export interface AuditQuery {
  actorType?: string;
  actorId?: string;
  action?: string;
  accountId?: string;
  objectType?: string;
  objectId?: string;
  result?: string;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

export const Audit = {
  list: (query: AuditQuery) =>
    get<{ items: AuditEvent[]; nextCursor: string | null }>('/audit-events', { query: { ...query } }),
  exportPath: '/audit-events/export',
};

export const Webhooks = {
  list: () => get<Webhook[] | Page<Webhook>>('/webhooks').then(itemsOf),
  create: (body: { url: string; description?: string; events: string[] }) => post<Webhook>('/webhooks', body),
  update: (hookId: string, body: Partial<Pick<Webhook, 'url' | 'description' | 'events' | 'enabled'>>) =>
    patch<Webhook>(`/webhooks/${id(hookId)}`, body),
  rotateSecret: (hookId: string) => post<Webhook>(`/webhooks/${id(hookId)}/rotate-secret`),
  deliveries: (hookId: string, limit = 100) =>
    get<WebhookDelivery[] | Page<WebhookDelivery>>(`/webhooks/${id(hookId)}/deliveries`, {
      query: { limit },
    }).then(itemsOf),
  remove: (hookId: string) => del<void>(`/webhooks/${id(hookId)}`),
};

export const Vault = {
  status: () => get<VaultStatus>('/vault/status'),
  rotate: (body: { reencrypt?: boolean }) => post<RotationJob>('/vault/rotate', body),
};

export const GrantSettingsApi = {
  get: () => get<GrantSettings>('/grant-settings'),
  update: (maxTtlSeconds: number) => put<GrantSettings>('/grant-settings', { maxTtlSeconds }),
};

export const Me = {
  changePassword: (currentPassword: string, newPassword: string) =>
    post<{ otherSessionsRevoked: number }>('/me/password', { currentPassword, newPassword }),
};

// Credential hygiene: across the accounts the caller sees, or one account.
export const Hygiene = {
  report: (accountId?: string) =>
    get<HygieneReport>(accountId ? `/accounts/${id(accountId)}/hygiene` : '/hygiene'),
  exportPath: (accountId?: string) =>
    accountId ? `/accounts/${id(accountId)}/hygiene/export.csv` : '/hygiene/export.csv',
};
