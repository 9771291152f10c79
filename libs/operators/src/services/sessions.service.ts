import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditContext, AuditService } from '@app/audit';
import { Clock, DomainException } from '@app/common';
import type { EnvironmentVariables } from '@app/config';
import type { OperatorRole, Principal } from '../auth/principal';
import { OperatorEntity, OperatorSessionEntity, SessionTokenEntity } from '../entities';
import { generateToken, hashToken, TOKEN_PREFIX } from '../security/tokens';
import { SecuritySettingsService } from './security-settings.service';

export interface SessionTokens {
  tokenType: 'Bearer';
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  refreshExpiresIn: number;
  // true when 2FA is required and not yet enrolled: the session may only enrol.
  restricted: boolean;
}

export const invalidToken = (): DomainException =>
  new DomainException({
    code: 'AUTH_INVALID_TOKEN',
    kind: 'unauthenticated',
    message: 'The token is missing, invalid, expired or revoked',
  });

interface AccessRow {
  session_id: string;
  operator_id: string;
  email: string;
  role: OperatorRole;
  totp_enabled_at: Date | null;
}

// Session access tokens (short-lived) and refresh tokens (rotated on every use;
// presenting a used one revokes the whole session, RFC 9700 §4.14.2).
@Injectable()
export class SessionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly config: ConfigService<EnvironmentVariables, true>,
    private readonly security: SecuritySettingsService,
  ) {}

  async open(
    m: EntityManager,
    operator: OperatorEntity,
    mfa: boolean,
    ctx: AuditContext,
  ): Promise<SessionTokens> {
    const session = await m.getRepository(OperatorSessionEntity).save(
      m.getRepository(OperatorSessionEntity).create({
        operatorId: operator.id,
        mfa,
        ip: ctx.ip ?? null,
        userAgent: ctx.userAgent ?? null,
      }),
    );
    await m.getRepository(OperatorEntity).update(operator.id, { lastLoginAt: this.clock.now() });
    return this.issue(m, session.id, await this.isRestricted(operator.totpEnabledAt, m));
  }

  private async issue(m: EntityManager, sessionId: string, restricted: boolean): Promise<SessionTokens> {
    const now = this.clock.now().getTime();
    const accessTtl = this.config.get('ACCESS_TOKEN_TTL_SECONDS', { infer: true });
    const refreshTtl = this.config.get('REFRESH_TOKEN_TTL_SECONDS', { infer: true });
    const accessToken = generateToken(TOKEN_PREFIX.access);
    const refreshToken = generateToken(TOKEN_PREFIX.refresh);
    const repo = m.getRepository(SessionTokenEntity);
    await repo.insert([
      {
        sessionId,
        kind: 'access',
        tokenHash: hashToken(accessToken),
        expiresAt: new Date(now + accessTtl * 1000),
      },
      {
        sessionId,
        kind: 'refresh',
        tokenHash: hashToken(refreshToken),
        expiresAt: new Date(now + refreshTtl * 1000),
      },
    ]);
    return {
      tokenType: 'Bearer',
      accessToken,
      refreshToken,
      expiresIn: accessTtl,
      refreshExpiresIn: refreshTtl,
      restricted,
    };
  }

  async refresh(refreshToken: string, ctx: AuditContext): Promise<SessionTokens> {
    if (!refreshToken.startsWith(TOKEN_PREFIX.refresh)) throw invalidToken();
    const outcome = await this.dataSource.transaction(async (m) => {
      const rows: (SessionTokenRow & { email: string; status: string; totp_enabled_at: Date | null })[] =
        await m.query(
          `SELECT t.id, t.session_id, t.expires_at, t.used_at, t.revoked_at, s.revoked_at AS session_revoked_at,
                s.operator_id, o.email, o.status, o.totp_enabled_at
         FROM session_tokens t JOIN operator_sessions s ON s.id = t.session_id JOIN operators o ON o.id = s.operator_id
         WHERE t.token_hash = $1 AND t.kind = 'refresh' FOR UPDATE OF t, s`,
          [hashToken(refreshToken)],
        );
      const t = rows[0];
      if (!t) return { kind: 'invalid' as const };
      const actorCtx: AuditContext = {
        ...ctx,
        actor: { type: 'operator', id: t.operator_id, label: t.email },
      };
      if (t.session_revoked_at) return { kind: 'invalid' as const };
      if (t.used_at || t.revoked_at) {
        await this.revokeSession(m, t.session_id, 'refresh_token_reuse');
        await this.audit.record(
          {
            ...actorCtx,
            action: 'auth.refresh_reuse_detected',
            objectType: 'session',
            objectId: t.session_id,
            result: 'denied',
          },
          m,
        );
        return { kind: 'reuse' as const };
      }
      if (t.expires_at.getTime() <= this.clock.now().getTime() || t.status !== 'active') {
        return { kind: 'invalid' as const };
      }
      const now = this.clock.now();
      await m.query(`UPDATE session_tokens SET used_at = $2 WHERE id = $1`, [t.id, now]);
      // Access tokens of the previous pair end with the rotation.
      await m.query(
        `UPDATE session_tokens SET revoked_at = $2 WHERE session_id = $1 AND kind = 'access' AND revoked_at IS NULL`,
        [t.session_id, now],
      );
      const tokens = await this.issue(m, t.session_id, await this.isRestricted(t.totp_enabled_at, m));
      await this.audit.record(
        {
          ...actorCtx,
          action: 'auth.token_refreshed',
          objectType: 'session',
          objectId: t.session_id,
          result: 'success',
        },
        m,
      );
      return { kind: 'ok' as const, tokens };
    });
    if (outcome.kind !== 'ok') throw invalidToken();
    return outcome.tokens;
  }

  async logout(principal: Principal, ctx: AuditContext): Promise<void> {
    if (!principal.sessionId) {
      throw new DomainException({
        code: 'AUTH_NOT_A_SESSION',
        kind: 'invalid',
        message: 'Only a session can log out; revoke an API token instead',
      });
    }
    await this.dataSource.transaction(async (m) => {
      await this.revokeSession(m, principal.sessionId!, 'logout');
      await this.audit.record(
        {
          ...ctx,
          action: 'auth.logout',
          objectType: 'session',
          objectId: principal.sessionId,
          result: 'success',
        },
        m,
      );
    });
  }

  async revokeSession(m: EntityManager, sessionId: string, reason: string): Promise<void> {
    const now = this.clock.now();
    await m.query(
      `UPDATE operator_sessions SET revoked_at = $2, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL`,
      [sessionId, now, reason],
    );
    await m.query(`UPDATE session_tokens SET revoked_at = $2 WHERE session_id = $1 AND revoked_at IS NULL`, [
      sessionId,
      now,
    ]);
  }

  async authenticate(accessToken: string): Promise<Principal> {
    const rows: AccessRow[] = await this.dataSource.query(
      `SELECT s.id AS session_id, o.id AS operator_id, o.email, o.role, o.totp_enabled_at
       FROM session_tokens t JOIN operator_sessions s ON s.id = t.session_id JOIN operators o ON o.id = s.operator_id
       WHERE t.token_hash = $1 AND t.kind = 'access' AND t.revoked_at IS NULL AND t.expires_at > $2
         AND s.revoked_at IS NULL AND o.status = 'active'`,
      [hashToken(accessToken), this.clock.now()],
    );
    const r = rows[0];
    if (!r) throw invalidToken();
    return {
      kind: 'operator',
      operatorId: r.operator_id,
      role: r.role,
      email: r.email,
      sessionId: r.session_id,
      restricted: await this.isRestricted(r.totp_enabled_at),
    };
  }

  private async isRestricted(totpEnabledAt: Date | null, m?: EntityManager): Promise<boolean> {
    return totpEnabledAt === null && (await this.security.get(m)).require2fa;
  }
}

interface SessionTokenRow {
  id: string;
  session_id: string;
  operator_id: string;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
  session_revoked_at: Date | null;
}
