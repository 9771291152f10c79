import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditContext, AuditService } from '@app/audit';
import { Clock, DomainException } from '@app/common';
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
}
