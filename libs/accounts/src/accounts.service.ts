import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { Clock, DomainException } from '@app/common';
import { AuditService, type AuditContext } from '@app/audit';
import { AccountEntity, AccountOperatorEntity } from './account.entity';
import { type AccountViewer, seesAllAccounts } from './account-viewer';

export interface AccountInput {
  displayName: string;
  nichandle?: string | null;
  contactName?: string | null;
  contactEmail?: string | null;
  notes?: string | null;
  tags?: string[];
}

export interface AccountView {
  id: string;
  displayName: string;
  nichandle: string | null;
  contactName: string | null;
  contactEmail: string | null;
  notes: string | null;
  tags: string[];
  operatorIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class AccountsService {
  constructor(
    @InjectRepository(AccountEntity) private readonly repo: Repository<AccountEntity>,
    @InjectRepository(AccountOperatorEntity) private readonly links: Repository<AccountOperatorEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async create(input: AccountInput, ctx: AuditContext): Promise<AccountView> {
    const now = this.clock.now();
    const entity = this.repo.create({
      id: randomUUID(),
      ...normalize(input),
      createdBy: ctx.actor.type === 'operator' ? (ctx.actor.id ?? null) : null,
      createdAt: now,
      updatedAt: now,
    });
    await this.dataSource.transaction(async (m) => {
      await m.insert(AccountEntity, entity);
      await this.audit.record(
        {
          ...ctx,
          action: 'account.created',
          objectType: 'account',
          objectId: entity.id,
          accountId: entity.id,
          result: 'success',
          metadata: { displayName: entity.displayName },
        },
        m,
      );
    });
    return toView(entity, []);
  }

  async list(viewer: AccountViewer): Promise<AccountView[]> {
    const qb = this.repo.createQueryBuilder('a').orderBy('a.display_name', 'ASC').addOrderBy('a.id', 'ASC');
    if (!seesAllAccounts(viewer)) {
      qb.innerJoin(AccountOperatorEntity, 'ao', 'ao.account_id = a.id AND ao.operator_id = :op', {
        op: viewer.operatorId,
      });
    }
    const accounts = await qb.getMany();
    const operators = await this.operatorsOf(accounts.map((a) => a.id));
    return accounts.map((a) => toView(a, operators.get(a.id) ?? []));
  }

  // Every account-scoped route goes through this: an account the viewer may not see
  // answers exactly like one that does not exist (404), so ids cannot be probed.
  async getVisible(viewer: AccountViewer, accountId: string): Promise<AccountView> {
    const entity = UUID.test(accountId) ? await this.repo.findOne({ where: { id: accountId } }) : null;
    if (!entity) throw accountNotFound();
    const operatorIds = (await this.operatorsOf([entity.id])).get(entity.id) ?? [];
    if (!seesAllAccounts(viewer) && !operatorIds.includes(viewer.operatorId)) throw accountNotFound();
    return toView(entity, operatorIds);
  }

  async update(
    viewer: AccountViewer,
    accountId: string,
    patch: Partial<AccountInput>,
    ctx: AuditContext,
  ): Promise<AccountView> {
    const current = await this.getVisible(viewer, accountId);
    const changes = normalizePatch(patch);
    const now = this.clock.now();
    await this.dataSource.transaction(async (m) => {
      await m.update(AccountEntity, { id: accountId }, { ...changes, updatedAt: now });
      await this.audit.record(
        {
          ...ctx,
          action: 'account.updated',
          objectType: 'account',
          objectId: accountId,
          accountId,
          result: 'success',
          metadata: { fields: Object.keys(changes) },
        },
        m,
      );
    });
    return { ...current, ...changes, updatedAt: now };
  }

  async setOperators(
    viewer: AccountViewer,
    accountId: string,
    operatorIds: string[],
    ctx: AuditContext,
  ): Promise<AccountView> {
    const account = await this.getVisible(viewer, accountId);
    const wanted = [...new Set(operatorIds.map((id) => id.toLowerCase()))].sort();
    await this.assertOperatorsExist(wanted);
    const now = this.clock.now();
    await this.dataSource.transaction(async (m) => {
      await m.delete(AccountOperatorEntity, { accountId });
      if (wanted.length > 0) {
        await m.insert(
          AccountOperatorEntity,
          wanted.map((operatorId) => ({ accountId, operatorId, createdAt: now })),
        );
      }
      await m.update(AccountEntity, { id: accountId }, { updatedAt: now });
      await this.audit.record(
        {
          ...ctx,
          action: 'account.operators_set',
          objectType: 'account',
          objectId: accountId,
          accountId,
          result: 'success',
          metadata: { before: account.operatorIds, after: wanted },
        },
        m,
      );
    });
    return { ...account, operatorIds: wanted, updatedAt: now };
  }

  // Called when a consumer key reveals which OVHcloud account validated it.
  async recordNichandle(accountId: string, nichandle: string, manager?: EntityManager): Promise<void> {
    const m = manager ?? this.dataSource.manager;
    await m.query(
      'UPDATE accounts SET nichandle = $2, updated_at = now() WHERE id = $1 AND nichandle IS NULL',
      [accountId, nichandle],
    );
  }

  async assignedAccountIds(operatorId: string): Promise<string[]> {
    return (await this.links.find({ where: { operatorId } })).map((l) => l.accountId);
  }

  private async operatorsOf(accountIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (accountIds.length === 0) return out;
    const rows = await this.links
      .createQueryBuilder('l')
      .where('l.account_id = ANY(:ids)', { ids: accountIds })
      .orderBy('l.operator_id')
      .getMany();
    for (const row of rows) out.set(row.accountId, [...(out.get(row.accountId) ?? []), row.operatorId]);
    return out;
  }

  // The operators table belongs to @app/operators; check the ids when it exists.
  private async assertOperatorsExist(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const [{ present }] = (await this.dataSource.query(
      "SELECT to_regclass('operators') IS NOT NULL AS present",
    )) as Array<{ present: boolean }>;
    if (!present) return;
    const rows = (await this.dataSource.query(
      'SELECT id::text AS id FROM operators WHERE id = ANY($1::uuid[])',
      [ids],
    )) as Array<{ id: string }>;
    const known = new Set(rows.map((r) => r.id.toLowerCase()));
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new DomainException({
        code: 'OPERATOR_UNKNOWN',
        kind: 'unprocessable',
        message: 'Some operator ids do not exist',
        details: { operatorIds: unknown },
      });
    }
  }
}

export function accountNotFound(): DomainException {
  return new DomainException({ code: 'ACCOUNT_NOT_FOUND', kind: 'not_found', message: 'Account not found' });
}

function clean(value: string | null | undefined): string | null {
  const v = value?.trim();
  return v ? v : null;
}

function cleanTags(tags: string[] | undefined): string[] {
  return [...new Set((tags ?? []).map((t) => t.trim()).filter(Boolean))].sort();
}

function normalize(input: AccountInput) {
  return {
    displayName: input.displayName.trim(),
    nichandle: clean(input.nichandle),
    contactName: clean(input.contactName),
    contactEmail: clean(input.contactEmail),
    notes: clean(input.notes),
    tags: cleanTags(input.tags),
  };
}

function normalizePatch(patch: Partial<AccountInput>): Partial<Omit<AccountView, 'id' | 'operatorIds'>> {
  const out: Partial<Omit<AccountView, 'id' | 'operatorIds'>> = {};
  if (patch.displayName !== undefined) out.displayName = patch.displayName.trim();
  if (patch.nichandle !== undefined) out.nichandle = clean(patch.nichandle);
  if (patch.contactName !== undefined) out.contactName = clean(patch.contactName);
  if (patch.contactEmail !== undefined) out.contactEmail = clean(patch.contactEmail);
  if (patch.notes !== undefined) out.notes = clean(patch.notes);
  if (patch.tags !== undefined) out.tags = cleanTags(patch.tags);
  return out;
}

function toView(e: AccountEntity, operatorIds: string[]): AccountView {
  return {
    id: e.id,
    displayName: e.displayName,
    nichandle: e.nichandle,
    contactName: e.contactName,
    contactEmail: e.contactEmail,
    notes: e.notes,
    tags: e.tags ?? [],
    operatorIds,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}
