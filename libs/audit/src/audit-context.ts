import type { Request } from 'express';
import type { AuditActor, AuditContext } from './audit.types';

// Structural view of the operators lib's Principal: audit sits below operators
// in the module map, so it cannot import it.
interface PrincipalLike {
  kind: 'operator' | 'api_token';
  operatorId: string;
  email?: string;
  tokenId?: string;
}

const MAX_UA = 256;

export function actorFromPrincipal(p: PrincipalLike | undefined): AuditActor {
  if (!p) return { type: 'anonymous' };
  if (p.kind === 'api_token') return { type: 'api_token', id: p.tokenId, label: p.email };
  return { type: 'operator', id: p.operatorId, label: p.email };
}

export function auditContextFrom(req: Request, principal?: PrincipalLike): AuditContext {
  const user = (req as Request & { user?: unknown }).user;
  const p =
    principal ??
    (user && typeof user === 'object' && 'operatorId' in user ? (user as PrincipalLike) : undefined);
  const ua = req.headers['user-agent'];
  const id = (req as Request & { id?: unknown }).id;
  return {
    actor: actorFromPrincipal(p),
    ip: req.ip,
    userAgent: typeof ua === 'string' ? ua.slice(0, MAX_UA) : undefined,
    requestId: typeof id === 'string' ? id : undefined,
  };
}
