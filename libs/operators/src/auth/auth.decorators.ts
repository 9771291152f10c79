import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import { DomainException } from '@app/common';
import type { OperatorRole, Principal } from './principal';

export { IS_PUBLIC_KEY, Public } from '@app/common';

export const ROLES_KEY = 'auth:roles';
export const ALLOW_RESTRICTED_KEY = 'auth:allowRestricted';

// Admin always passes. Without @Roles every role may call the route, except that
// an auditor may only use GET/HEAD unless 'auditor' is listed explicitly.
export const Roles = (...roles: OperatorRole[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ROLES_KEY, roles);

// Routes a restricted session (2FA required but not enrolled yet) may still use.
export const AllowRestricted = (): MethodDecorator & ClassDecorator =>
  SetMetadata(ALLOW_RESTRICTED_KEY, true);

export function principalOf(req: Request): Principal | undefined {
  const user = (req as Request & { user?: unknown }).user;
  return user && typeof user === 'object' && 'operatorId' in user ? (user as Principal) : undefined;
}

export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const principal = principalOf(ctx.switchToHttp().getRequest<Request>());
  if (!principal) {
    throw new DomainException({
      code: 'AUTH_REQUIRED',
      kind: 'unauthenticated',
      message: 'Authentication required',
    });
  }
  return principal;
});
