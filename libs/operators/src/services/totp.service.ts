import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { toDataURL } from 'qrcode';
import { DataSource, EntityManager } from 'typeorm';
import { AuditContext, AuditService } from '@app/audit';
import { Clock, DomainException } from '@app/common';
import { VaultService } from '@app/vault';
import type { Principal } from '../auth/principal';
import { RecoveryCodeEntity } from '../entities';
import { AuthThrottle } from '../security/auth-throttle';
import { generateRecoveryCode, hashToken, normaliseRecoveryCode } from '../security/tokens';
import { newTotpSecret, TOTP_PERIOD, totpGenerate, totpUri, totpVerify } from '../security/totp';
import { SecuritySettingsService } from './security-settings.service';

export const TOTP_ISSUER = 'OVHcloud broker';
export const RECOVERY_CODE_COUNT = 10;

export interface TotpEnrolment {
  otpauthUri: string;
  qrCodeDataUrl: string;
  secret: string;
}

export interface SecondFactor {
  code?: string;
  recoveryCode?: string;
}

const place = (rowId: string, column: 'totp_secret' | 'totp_pending_secret') => ({
  table: 'operators',
  column,
  rowId,
});

// RFC 6238, SHA-1, 6 digits, 30 s; ±1 step accepted. Each accepted step is
// remembered per operator, so a code (or an earlier one) cannot be replayed.
@Injectable()
export class TotpService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly vault: VaultService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly throttle: AuthThrottle,
    private readonly security: SecuritySettingsService,
  ) {}

  // so that key rotation re-encrypts these too and can retire the old data keys
  onModuleInit(): void {
    for (const column of ['totp_secret', 'totp_pending_secret']) {
      this.vault.registerSealedColumn({ table: 'operators', column, idColumn: 'id' });
    }
  }

  async enrol(principal: Principal, ctx: AuditContext): Promise<TotpEnrolment> {
    this.assertSession(principal);
    const secret = newTotpSecret();
    // sealing inside the transaction must not need another connection (embedded engine)
    const sealer = await this.vault.sealer();
    await this.dataSource.transaction(async (m) => {
      const row = await this.lockSecrets(m, principal.operatorId);
      if (row.totp_enabled_at) {
        throw new DomainException({
          code: 'TOTP_ALREADY_ENABLED',
          kind: 'conflict',
          message: 'The second factor is already enabled; disable it first',
        });
      }
      const sealed = sealer.seal(secret, place(principal.operatorId, 'totp_pending_secret'));
      await m.query('UPDATE operators SET totp_pending_secret = $2, updated_at = $3 WHERE id = $1', [
        principal.operatorId,
        sealed,
        this.clock.now(),
      ]);
      await this.audit.record(
        {
          ...ctx,
          action: 'auth.2fa.enrolment_started',
          objectType: 'operator',
          objectId: principal.operatorId,
          result: 'success',
        },
        m,
      );
    });
    const otpauthUri = totpUri(TOTP_ISSUER, principal.email, secret);
    return { otpauthUri, qrCodeDataUrl: await toDataURL(otpauthUri), secret };
  }

  async confirm(principal: Principal, code: string, ctx: AuditContext): Promise<{ recoveryCodes: string[] }> {
    this.assertSession(principal);
    await this.throttle.assertAllowed({ mfa: principal.operatorId });
    const sealer = await this.vault.sealer();
    const outcome = await this.dataSource.transaction(async (m) => {
      const row = await this.lockSecrets(m, principal.operatorId);
      if (row.totp_enabled_at || !row.totp_pending_secret) {
        throw new DomainException({
          code: 'TOTP_NOT_ENROLLING',
          kind: 'conflict',
          message: 'There is no pending second-factor enrolment to confirm',
        });
      }
      const secret = await this.vault.open(
        row.totp_pending_secret,
        place(principal.operatorId, 'totp_pending_secret'),
        m,
      );
      const step = await this.check(secret, code, null);
      if (step === null) return null;
      const sealed = sealer.seal(secret, place(principal.operatorId, 'totp_secret'));
      const now = this.clock.now();
      await m.query(
        `UPDATE operators SET totp_secret = $2, totp_pending_secret = NULL, totp_enabled_at = $3, totp_last_step = $4,
           updated_at = $3 WHERE id = $1`,
        [principal.operatorId, sealed, now, step],
      );
      const recoveryCodes = await this.replaceRecoveryCodes(m, principal.operatorId);
      await this.audit.record(
        {
          ...ctx,
          action: 'auth.2fa.confirmed',
          objectType: 'operator',
          objectId: principal.operatorId,
          result: 'success',
        },
        m,
      );
      return recoveryCodes;
    });
    if (!outcome) {
      await this.recordFailure(principal.operatorId, 'auth.2fa.confirmed', ctx);
      throw invalidCode();
    }
    await this.throttle.clear('mfa', principal.operatorId);
    return { recoveryCodes: outcome };
  }

  async disable(principal: Principal, factor: SecondFactor, ctx: AuditContext): Promise<void> {
    this.assertSession(principal);
    if ((await this.security.get()).require2fa) {
      throw new DomainException({
        code: 'TOTP_REQUIRED_BY_POLICY',
        kind: 'forbidden',
        message: 'The second factor is required for every operator and cannot be disabled',
      });
    }
    await this.throttle.assertAllowed({ mfa: principal.operatorId });
    const ok = await this.dataSource.transaction(async (m) => {
      if (!(await this.verifySecondFactor(m, principal.operatorId, factor, ctx))) return false;
      await this.clear(m, principal.operatorId);
      await this.audit.record(
        {
          ...ctx,
          action: 'auth.2fa.disabled',
          objectType: 'operator',
          objectId: principal.operatorId,
          result: 'success',
        },
        m,
      );
      return true;
    });
    if (!ok) {
      await this.recordFailure(principal.operatorId, 'auth.2fa.disabled', ctx);
      throw invalidCode();
    }
  }

  // Admin action, for an operator who lost their device and recovery codes.
  async reset(operatorId: string, ctx: AuditContext): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await this.lockSecrets(m, operatorId);
      await this.clear(m, operatorId);
      await this.audit.record(
        { ...ctx, action: 'auth.2fa.reset', objectType: 'operator', objectId: operatorId, result: 'success' },
        m,
      );
    });
  }

  // Inside the caller's transaction: true if the TOTP code (not yet used) or an
  // unused recovery code is right; consumes it.
  async verifySecondFactor(
    m: EntityManager,
    operatorId: string,
    f: SecondFactor,
    ctx: AuditContext,
  ): Promise<boolean> {
    const row = await this.lockSecrets(m, operatorId);
    if (!row.totp_enabled_at || !row.totp_secret) return false;
    if (f.code !== undefined) {
      const secret = await this.vault.open(row.totp_secret, place(operatorId, 'totp_secret'), m);
      const step = await this.check(
        secret,
        f.code,
        row.totp_last_step === null ? null : Number(row.totp_last_step),
      );
      if (step === null) return false;
      await m.query('UPDATE operators SET totp_last_step = $2 WHERE id = $1', [operatorId, step]);
      return true;
    }
    if (f.recoveryCode !== undefined) {
      const used: unknown[] = await m.query(
        `UPDATE operator_recovery_codes SET used_at = $3
         WHERE operator_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING id`,
        [operatorId, hashToken(normaliseRecoveryCode(f.recoveryCode)), this.clock.now()],
      );
      const updated = Array.isArray(used[0]) ? (used[0] as unknown[]) : used;
      if (updated.length === 0) return false;
      const left: { n: number }[] = await m.query(
        'SELECT count(*)::int AS n FROM operator_recovery_codes WHERE operator_id = $1 AND used_at IS NULL',
        [operatorId],
      );
      await this.audit.record(
        {
          ...ctx,
          action: 'auth.2fa.recovery_code_used',
          objectType: 'operator',
          objectId: operatorId,
          result: 'success',
          metadata: { remaining: left[0]?.n ?? 0 },
        },
        m,
      );
      return true;
    }
    return false;
  }

  // The accepted time step, or null. Tolerance ±30 s = ±1 step (never ±2).
  private async check(secret: string, code: string, afterStep: number | null): Promise<number | null> {
    if (!/^\d{6}$/.test(code)) return null;
    const epoch = Math.floor(this.clock.now().getTime() / 1000);
    return totpVerify(secret, code, epoch, TOTP_PERIOD, afterStep ?? undefined).catch(() => null);
  }

  async codeFor(secret: string, at: Date): Promise<string> {
    return totpGenerate(secret, Math.floor(at.getTime() / 1000));
  }

  private async replaceRecoveryCodes(m: EntityManager, operatorId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
    await m.query('DELETE FROM operator_recovery_codes WHERE operator_id = $1', [operatorId]);
    await m
      .getRepository(RecoveryCodeEntity)
      .insert(codes.map((c) => ({ operatorId, codeHash: hashToken(normaliseRecoveryCode(c)) })));
    return codes;
  }

  private async clear(m: EntityManager, operatorId: string): Promise<void> {
    await m.query(
      `UPDATE operators SET totp_secret = NULL, totp_pending_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL,
         updated_at = $2 WHERE id = $1`,
      [operatorId, this.clock.now()],
    );
    await m.query('DELETE FROM operator_recovery_codes WHERE operator_id = $1', [operatorId]);
  }

  private async lockSecrets(m: EntityManager, operatorId: string) {
    const rows: {
      totp_secret: string | null;
      totp_pending_secret: string | null;
      totp_enabled_at: Date | null;
      totp_last_step: string | null;
    }[] = await m.query(
      `SELECT totp_secret, totp_pending_secret, totp_enabled_at, totp_last_step::text AS totp_last_step
       FROM operators WHERE id = $1 FOR UPDATE`,
      [operatorId],
    );
    if (!rows[0])
      throw new DomainException({
        code: 'OPERATOR_NOT_FOUND',
        kind: 'not_found',
        message: 'No such operator',
      });
    return rows[0];
  }

  async recordFailure(operatorId: string, action: string, ctx: AuditContext): Promise<void> {
    await this.throttle.fail({ mfa: operatorId });
    await this.audit.record({
      ...ctx,
      action,
      objectType: 'operator',
      objectId: operatorId,
      result: 'failure',
    });
  }

  private assertSession(principal: Principal): void {
    if (principal.kind !== 'operator') {
      throw new DomainException({
        code: 'AUTH_SESSION_REQUIRED',
        kind: 'forbidden',
        message: 'Only an interactive session can manage the second factor',
      });
    }
  }
}

const invalidCode = () =>
  new DomainException({
    code: 'TOTP_CODE_INVALID',
    kind: 'unauthenticated',
    message: 'The code is not valid',
  });
