import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy as BearerStrategy } from 'passport-http-bearer';
import { Strategy as LocalStrategy } from 'passport-local';
import { auditContextFrom } from '@app/audit';
import { OperatorEntity } from '../entities';
import { TOKEN_PREFIX } from '../security/tokens';
import { ApiTokensService } from '../services/api-tokens.service';
import { AuthService } from '../services/auth.service';
import { invalidToken, SessionsService } from '../services/sessions.service';
import type { Principal } from './principal';

export const BEARER_STRATEGY = 'admin-bearer';
export const LOCAL_STRATEGY = 'operator-local';

// Accepts both session access tokens (oba_) and API tokens (obt_), told apart by prefix.
@Injectable()
export class AdminBearerStrategy extends PassportStrategy(BearerStrategy, BEARER_STRATEGY) {
  constructor(
    private readonly sessions: SessionsService,
    private readonly apiTokens: ApiTokensService,
  ) {
    super({ passReqToCallback: true });
  }

  async validate(req: Request, token: string): Promise<Principal> {
    if (token.startsWith(TOKEN_PREFIX.access)) return this.sessions.authenticate(token);
    if (token.startsWith(TOKEN_PREFIX.apiToken)) return this.apiTokens.authenticate(token, req.ip);
    throw invalidToken();
  }
}

@Injectable()
export class OperatorLocalStrategy extends PassportStrategy(LocalStrategy, LOCAL_STRATEGY) {
  constructor(private readonly auth: AuthService) {
    super({ usernameField: 'email', passwordField: 'password', passReqToCallback: true, session: false });
  }

  async validate(req: Request, email: string, password: string): Promise<OperatorEntity> {
    return this.auth.checkPassword(email, password, auditContextFrom(req));
  }
}
