import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { DomainException, IS_PUBLIC_KEY } from '@app/common';
import { invalidToken } from '../services/sessions.service';
import { ALLOW_RESTRICTED_KEY, principalOf, ROLES_KEY } from './auth.decorators';
import type { OperatorRole, Principal } from './principal';
import { BEARER_STRATEGY, LOCAL_STRATEGY } from './strategies';

const READ_METHODS = new Set(['GET', 'HEAD']);

export function roleAllows(
  principal: Principal,
  method: string,
  required: OperatorRole[] | undefined,
): boolean {
  if (principal.role === 'admin') return true;
  if (required?.includes(principal.role)) return true;
  if (principal.role === 'auditor') return READ_METHODS.has(method.toUpperCase());
  return required === undefined || required.length === 0;
}

const forbidden = () =>
  new DomainException({
    code: 'AUTH_FORBIDDEN',
    kind: 'forbidden',
    message: 'Your role does not allow this action',
  });

// The admin API's global guard: every route needs a bearer token unless marked
// @Public(); then restricted sessions and @Roles are enforced.
@Injectable()
export class AdminAuthGuard extends AuthGuard(BEARER_STRATEGY) {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;
    const req = context.switchToHttp().getRequest<Request>();
    // Only the Authorization header: passport-http-bearer would also read
    // ?access_token=, which ends up in proxy and browser logs.
    if (!/^Bearer\s+\S+$/i.test(req.headers.authorization ?? '')) throw invalidToken();
    await super.canActivate(context);
    const principal = principalOf(req);
    if (!principal) throw invalidToken();
    if (principal.restricted && !this.reflector.getAllAndOverride<boolean>(ALLOW_RESTRICTED_KEY, targets)) {
      throw new DomainException({
        code: 'AUTH_2FA_ENROLMENT_REQUIRED',
        kind: 'forbidden',
        message: 'A second factor is required: enrol one at /api/v1/auth/2fa/enrol first',
      });
    }
    const required = this.reflector.getAllAndOverride<OperatorRole[] | undefined>(ROLES_KEY, targets);
    if (!roleAllows(principal, req.method, required)) throw forbidden();
    return true;
  }

  override handleRequest<T>(err: unknown, user: T): T {
    if (err) throw err;
    if (!user) throw invalidToken();
    return user;
  }
}

@Injectable()
export class OperatorLocalGuard extends AuthGuard(LOCAL_STRATEGY) {
  override handleRequest<T>(err: unknown, user: T): T {
    if (err) throw err;
    // passport-local fails without calling validate when a field is missing.
    if (!user) {
      throw new DomainException({
        code: 'AUTH_INVALID_CREDENTIALS',
        kind: 'unauthenticated',
        message: 'Invalid email or password',
      });
    }
    return user;
  }
}
