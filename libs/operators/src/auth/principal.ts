export const OPERATOR_ROLES = ['admin', 'operator', 'auditor'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

// Rank used to refuse an API token with a role above its creator's. Auditor and
// operator are not comparable in reach (read-all vs write-some), so only admin outranks.
export const ROLE_RANK: Record<OperatorRole, number> = { auditor: 1, operator: 1, admin: 2 };

// Who is calling the admin API: an operator's session or one of their API tokens.
export interface Principal {
  kind: 'operator' | 'api_token';
  operatorId: string;
  role: OperatorRole;
  email: string;
  tokenId?: string;
  sessionId?: string;
  // A session opened while 2FA is required but not yet enrolled: it may only enrol.
  restricted?: boolean;
}
