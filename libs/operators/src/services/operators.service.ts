import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditContext, AuditService } from '@app/audit';
import { Clock, DomainException } from '@app/common';
import type { OperatorRole } from '../auth/principal';
import { OperatorEntity } from '../entities';
import type { OperatorStatus } from '../entities/operator.entity';
import { PasswordHasher } from '../security/password-hasher';
import { generatePassword } from '../security/tokens';

export interface CreateOperatorInput {
  email: string;
  displayName: string;
  role: OperatorRole;
  password?: string;
}

export interface UpdateOperatorInput {
  displayName?: string;
  role?: OperatorRole;
  status?: OperatorStatus;
}

export interface OperatorView {
  id: string;
  email: string;
  displayName: string;
  role: OperatorRole;
  status: OperatorStatus;
  totpEnabled: boolean;
  lastLoginAt: Date | null;
  createdAt: Date;
  disabledAt: Date | null;
}

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

export function toOperatorView(o: OperatorEntity): OperatorView {
  return {
    id: o.id,
    email: o.email,
    displayName: o.displayName,
    role: o.role,
    status: o.status,
    totpEnabled: o.totpEnabledAt !== null,
    lastLoginAt: o.lastLoginAt,
    createdAt: o.createdAt,
    disabledAt: o.disabledAt,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class OperatorsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async count(): Promise<number> {
    return this.dataSource.getRepository(OperatorEntity).count();
  }

  // Returns the generated password when none was given (shown once, never stored).
  async create(
    input: CreateOperatorInput,
    ctx: AuditContext,
    action = 'operator.created',
    within?: EntityManager,
  ): Promise<{ operator: OperatorView; generatedPassword?: string }> {
    const generatedPassword = input.password === undefined ? generatePassword() : undefined;
    const passwordHash = await this.hasher.hash(input.password ?? generatedPassword!);
    const run = async (m: EntityManager) => {
      const repo = m.getRepository(OperatorEntity);
      const email = normaliseEmail(input.email);
      if (await repo.exists({ where: { email } })) {
        throw new DomainException({
          code: 'OPERATOR_EMAIL_TAKEN',
          kind: 'conflict',
          message: 'An operator with this email already exists',
        });
      }
      const saved = await repo.save(
        repo.create({
          email,
          displayName: input.displayName.trim(),
          role: input.role,
          status: 'active',
          passwordHash,
        }),
      );
      await this.audit.record(
        {
          ...ctx,
          action,
          objectType: 'operator',
          objectId: saved.id,
          result: 'success',
          metadata: { role: saved.role },
        },
        m,
      );
      return saved;
    };
    const saved = within ? await run(within) : await this.dataSource.transaction(run);
    return { operator: toOperatorView(saved), generatedPassword };
  }

  async list(): Promise<OperatorView[]> {
    const rows = await this.dataSource.getRepository(OperatorEntity).find({ order: { createdAt: 'ASC' } });
    return rows.map(toOperatorView);
  }

  async get(id: string): Promise<OperatorView> {
    return toOperatorView(await this.load(this.dataSource.manager, id));
  }

  async update(id: string, input: UpdateOperatorInput, ctx: AuditContext): Promise<OperatorView> {
    return this.dataSource.transaction(async (m) => {
      const o = await this.load(m, id, true);
      const changes: Record<string, unknown> = {};
      if (input.displayName !== undefined && input.displayName.trim() !== o.displayName) {
        o.displayName = input.displayName.trim();
        changes.displayName = o.displayName;
      }
      if (input.role !== undefined && input.role !== o.role) {
        if (o.role === 'admin') await this.assertAnotherAdmin(m, o.id);
        changes.role = { from: o.role, to: input.role };
        o.role = input.role;
      }
      const disabling = input.status === 'disabled' && o.status !== 'disabled';
      if (input.status !== undefined && input.status !== o.status) {
        if (disabling && o.role === 'admin') await this.assertAnotherAdmin(m, o.id);
        changes.status = { from: o.status, to: input.status };
        o.status = input.status;
        o.disabledAt = disabling ? this.clock.now() : null;
      }
      await m.getRepository(OperatorEntity).save(o);
      // A role change or a disable ends the operator's sessions and tokens, so
      // nothing keeps the old rights.
      if (disabling || changes.role)
        await this.revokeAllCredentials(m, o.id, disabling ? 'operator_disabled' : 'role_changed');
      await this.audit.record(
        {
          ...ctx,
          action: disabling ? 'operator.disabled' : 'operator.updated',
          objectType: 'operator',
          objectId: o.id,
          result: 'success',
          metadata: changes,
        },
        m,
      );
      return toOperatorView(o);
    });
  }

  async revokeAllCredentials(m: EntityManager, operatorId: string, reason: string): Promise<void> {
    const now = this.clock.now();
    await m.query(
      `UPDATE operator_sessions SET revoked_at = $2, revoked_reason = $3 WHERE operator_id = $1 AND revoked_at IS NULL`,
      [operatorId, now, reason],
    );
    await m.query(
      `UPDATE session_tokens SET revoked_at = $2 WHERE revoked_at IS NULL
         AND session_id IN (SELECT id FROM operator_sessions WHERE operator_id = $1)`,
      [operatorId, now],
    );
    await m.query(`UPDATE api_tokens SET revoked_at = $2 WHERE operator_id = $1 AND revoked_at IS NULL`, [
      operatorId,
      now,
    ]);
  }

  async load(m: EntityManager, id: string, lock = false): Promise<OperatorEntity> {
    const found = UUID.test(id)
      ? await m
          .getRepository(OperatorEntity)
          .findOne({ where: { id }, lock: lock ? { mode: 'pessimistic_write' } : undefined })
      : null;
    if (!found)
      throw new DomainException({
        code: 'OPERATOR_NOT_FOUND',
        kind: 'not_found',
        message: 'No such operator',
      });
    return found;
  }

  private async assertAnotherAdmin(m: EntityManager, exceptId: string): Promise<void> {
    const rows: { n: number }[] = await m.query(
      `SELECT count(*)::int AS n FROM operators WHERE role = 'admin' AND status = 'active' AND id <> $1`,
      [exceptId],
    );
    if ((rows[0]?.n ?? 0) === 0) {
      throw new DomainException({
        code: 'OPERATOR_LAST_ADMIN',
        kind: 'conflict',
        message: 'At least one active admin must remain',
      });
    }
  }
}
