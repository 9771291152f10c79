import { type AccessRule, validateAccessRules } from '@app/ovh-protocol';
import { OvhHttpException } from '../http/ovh-http.exception';
import { isValidIpBlock } from './client-ip';

export interface CredentialRequest {
  accessRules: AccessRule[];
  redirection: string | null;
  allowedIPs: string[] | null;
}

// auth.ApiCredentialRequestParams; null is accepted for redirection and allowedIPs (python-ovh sends it).
export function parseCredentialRequest(body: Record<string, unknown>): CredentialRequest {
  const ruleErrors = validateAccessRules(body.accessRules);
  if (ruleErrors.length > 0) {
    const detail = ruleErrors
      .map((e) => (e.index < 0 ? e.message : `accessRules[${e.index}].${e.field}: ${e.message}`))
      .join('; ');
    throw OvhHttpException.badRequest(`Invalid accessRules: ${detail}`);
  }
  const redirection = body.redirection ?? null;
  if (redirection !== null) {
    if (
      typeof redirection !== 'string' ||
      !/^https?:\/\/[^\s]+$/i.test(redirection) ||
      redirection.length > 2048
    ) {
      throw OvhHttpException.badRequest('Invalid redirection: an http(s) URL was expected');
    }
  }
  const allowedIPs = parseAllowedIps(body.allowedIPs);
  return { accessRules: body.accessRules as AccessRule[], redirection, allowedIPs };
}

export function parseAllowedIps(value: unknown): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.length > 100) {
    throw OvhHttpException.badRequest('Invalid allowedIPs: a list of IP blocks was expected');
  }
  for (const block of value) {
    if (typeof block !== 'string' || !isValidIpBlock(block)) {
      throw OvhHttpException.badRequest(`Invalid allowedIPs: "${String(block)}" is not an IP block`);
    }
  }
  return [...(value as string[])];
}
