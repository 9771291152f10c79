import { DomainException } from '@app/common';

export const GRANT_ERROR_CODES = [
  'GRANT_NOT_FOUND',
  'GRANT_NOT_ACTIVE',
  'GRANT_RULES_INVALID',
  'GRANT_RULES_NOT_CONTAINED',
  'GRANT_READ_ONLY_RULES',
  'GRANT_EXPIRY_INVALID',
  'GRANT_TTL_TOO_LONG',
  'GRANT_ALLOWED_IPS_INVALID',
  'GRANT_RATE_LIMIT_INVALID',
  'GRANT_HOLDER_INVALID',
  'GRANT_CONSUMER_KEY_NOT_FOUND',
  'GRANT_CONSUMER_KEY_NOT_USABLE',
  'GRANT_SETTINGS_INVALID',
] as const;
export type GrantErrorCode = (typeof GRANT_ERROR_CODES)[number];

export function grantNotFound(): DomainException {
  return new DomainException({ code: 'GRANT_NOT_FOUND', kind: 'not_found', message: 'Grant not found' });
}
