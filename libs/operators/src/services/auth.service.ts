import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditContext, AuditService } from '@app/audit';
import { Clock, DomainException } from '@app/common';
import type { Principal } from '../auth/principal';
import { MfaChallengeEntity, OperatorEntity } from '../entities';
import { AuthThrottle } from '../security/auth-throttle';
import { PasswordHasher } from '../security/password-hasher';
import { generateToken, hashToken, TOKEN_PREFIX } from '../security/tokens';
import { normaliseEmail } from './operators.service';
import { SessionsService, SessionTokens } from './sessions.service';
import { SecondFactor, TotpService } from './totp.service';

export type LoginResult = ({ mfaRequired: false } & SessionTokens) | { mfaRequired: true; mfaToken: string };

const MFA_CHALLENGE_TTL_MS = 5 * 60 * 1000;
const MFA_MAX_ATTEMPTS = 5;

// One answer for an unknown email, a wrong password and a disabled operator:
// same status, same body, and a password hash is checked in every case.
const invalidCredentials = () =>
  new DomainException({
    code: 'AUTH_INVALID_CREDENTIALS',
    kind: 'unauthenticated',
    message: 'Invalid email or password',
  });

const invalidMfa = () =>
  new DomainException({
    code: 'AUTH_MFA_INVALID',
    kind: 'unauthenticated',
    message: 'The second-factor challenge or code is not valid',
  });

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly throttle: AuthThrottle,
    private readonly sessions: SessionsService,
    private readonly totp: TotpService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  // The passport-local strategy calls this; it returns the operator or throws.
  async checkPassword(emailInput: string, password: string, ctx: AuditContext): Promise<OperatorEntity> {
    const email = normaliseEmail(emailInput).slice(0, 320);
    const keys = { account: email, ip: ctx.ip ?? 'unknown' };
    await this.throttle.assertAllowed(keys);
    const operator = await this.dataSource
      .getRepository(OperatorEntity)
      .createQueryBuilder('o')
      .addSelect('o.passwordHash')
      .where('o.email = :email', { email })
      .getOne();
    const ok = await this.hasher.verify(operator?.passwordHash ?? null, password);
    if (!ok || !operator || operator.status !== 'active') {
      await this.throttle.fail(keys);
      await this.audit.record({
        ...ctx,
        actor: operator
          ? { type: 'operator', id: operator.id, label: operator.email }
          : { type: 'anonymous', label: email },
        action: 'auth.login',
        objectType: 'operator',
        objectId: operator?.id,
        result: 'failure',
        metadata: { reason: !operator ? 'unknown_email' : !ok ? 'wrong_password' : 'disabled' },
      });
      throw invalidCredentials();
    }
    await this.throttle.clear('account', email);
    return operator;
  }

  async login(operator: OperatorEntity, baseCtx: AuditContext): Promise<LoginResult> {
    const ctx: AuditContext = {
      ...baseCtx,
      actor: { type: 'operator', id: operator.id, label: operator.email },
    };
    return this.dataSource.transaction(async (m): Promise<LoginResult> => {
      if (operator.totpEnabledAt) {
        const mfaToken = generateToken(TOKEN_PREFIX.mfa);
        await m.getRepository(MfaChallengeEntity).insert({
          operatorId: operator.id,
          tokenHash: hashToken(mfaToken),
          expiresAt: new Date(this.clock.now().getTime() + MFA_CHALLENGE_TTL_MS),
          attempts: 0,
        });
        await this.audit.record(
          {
            ...ctx,
            action: 'auth.login.password_verified',
            objectType: 'operator',
            objectId: operator.id,
            result: 'success',
          },
          m,
        );
        return { mfaRequired: true, mfaToken };
      }
      const tokens = await this.sessions.open(m, operator, false, ctx);
      await this.audit.record(
        {
          ...ctx,
          action: 'auth.login',
          objectType: 'operator',
          objectId: operator.id,
          result: 'success',
          metadata: { mfa: false, restricted: tokens.restricted },
        },
        m,
      );
      return { mfaRequired: false, ...tokens };
    });
  }

  async verifyMfa(mfaToken: string, factor: SecondFactor, ctx: AuditContext): Promise<SessionTokens> {
    if (
      !mfaToken.startsWith(TOKEN_PREFIX.mfa) ||
      (factor.code === undefined) === (factor.recoveryCode === undefined)
    ) {
      throw invalidMfa();
    }
    const challenge = await this.dataSource
      .getRepository(MfaChallengeEntity)
      .findOne({ where: { tokenHash: hashToken(mfaToken) } });
    const now = this.clock.now();
    if (
      !challenge ||
      challenge.consumedAt ||
      challenge.expiresAt.getTime() <= now.getTime() ||
      challenge.attempts >= MFA_MAX_ATTEMPTS
    ) {
      throw invalidMfa();
    }
    await this.throttle.assertAllowed({ mfa: challenge.operatorId });
    const result = await this.dataSource.transaction(async (m) => {
      const operator = await m.getRepository(OperatorEntity).findOne({ where: { id: challenge.operatorId } });
      if (!operator || operator.status !== 'active') return null;
      const opCtx: AuditContext = {
        ...ctx,
        actor: { type: 'operator', id: operator.id, label: operator.email },
      };
      if (!(await this.totp.verifySecondFactor(m, operator.id, factor, opCtx))) return null;
      const consumed: unknown[] = await m.query(
        `UPDATE mfa_challenges SET consumed_at = $2 WHERE id = $1 AND consumed_at IS NULL RETURNING id`,
        [challenge.id, now],
      );
      const rows = Array.isArray(consumed[0]) ? (consumed[0] as unknown[]) : consumed;
      if (rows.length === 0) return null;
      const tokens = await this.sessions.open(m, operator, true, opCtx);
      await this.audit.record(
        {
          ...opCtx,
          action: 'auth.login',
          objectType: 'operator',
          objectId: operator.id,
          result: 'success',
          metadata: { mfa: true, method: factor.code !== undefined ? 'totp' : 'recovery_code' },
        },
        m,
      );
      return tokens;
    });
    if (!result) {
      await this.dataSource.query('UPDATE mfa_challenges SET attempts = attempts + 1 WHERE id = $1', [
        challenge.id,
      ]);
      await this.totp.recordFailure(challenge.operatorId, 'auth.2fa.verified', ctx);
      throw invalidMfa();
    }
    await this.throttle.clear('mfa', challenge.operatorId);
    return result;
  }

  // Change one's own password: the current one is checked (failures count towards
  // the same per-email limit as logins), every other session of the operator ends,
  // and the change is audited. API tokens keep working (revoke them separately).
  async changePassword(
    principal: Principal,
    currentPassword: string,
    newPassword: string,
    ctx: AuditContext,
  ): Promise<{ otherSessionsRevoked: number }> {
    if (principal.kind !== 'operator' || !principal.sessionId) {
      throw new DomainException({
        code: 'AUTH_SESSION_REQUIRED',
        kind: 'forbidden',
        message: 'Only an interactive session can change its password',
      });
    }
    this.hasher.assertAcceptable(newPassword);
    const key = { account: normaliseEmail(principal.email).slice(0, 320) };
    await this.throttle.assertAllowed(key);
    const operator = await this.dataSource
      .getRepository(OperatorEntity)
      .createQueryBuilder('o')
      .addSelect('o.passwordHash')
      .where('o.id = :id', { id: principal.operatorId })
      .getOne();
    const ok = await this.hasher.verify(operator?.passwordHash ?? null, currentPassword);
    if (!ok || !operator) {
      await this.throttle.fail(key);
      await this.audit.record({
        ...ctx,
        action: 'operator.password_changed',
        objectType: 'operator',
        objectId: principal.operatorId,
        result: 'failure',
        metadata: { reason: 'wrong_current_password' },
      });
      throw new DomainException({
        code: 'AUTH_CURRENT_PASSWORD_INVALID',
        kind: 'forbidden',
        message: 'The current password is not right',
      });
    }
    if (currentPassword === newPassword) {
      throw new DomainException({
        code: 'OPERATOR_PASSWORD_UNCHANGED',
        kind: 'invalid',
        message: 'The new password must differ from the current one',
      });
    }
    const passwordHash = await this.hasher.hash(newPassword);
    const now = this.clock.now();
    const revoked = await this.dataSource.transaction(async (m) => {
      await m.query('UPDATE operators SET password_hash = $2, updated_at = $3 WHERE id = $1', [
        operator.id,
        passwordHash,
        now,
      ]);
      const ended: { id: string }[] = await m.query(
        `UPDATE operator_sessions SET revoked_at = $3, revoked_reason = 'password_changed'
          WHERE operator_id = $1 AND id <> $2 AND revoked_at IS NULL RETURNING id`,
        [operator.id, principal.sessionId, now],
      );
      const rows = Array.isArray(ended[0]) ? (ended[0] as { id: string }[]) : ended;
      if (rows.length > 0) {
        await m.query(
          'UPDATE session_tokens SET revoked_at = $2 WHERE session_id = ANY($1::uuid[]) AND revoked_at IS NULL',
          [rows.map((r) => r.id), now],
        );
      }
      await this.audit.record(
        {
          ...ctx,
          action: 'operator.password_changed',
          objectType: 'operator',
          objectId: operator.id,
          result: 'success',
          metadata: { otherSessionsRevoked: rows.length },
        },
        m,
      );
      return rows.length;
    });
    await this.throttle.clear('account', key.account);
    return { otherSessionsRevoked: revoked };
  }
}
