import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import ipaddr from 'ipaddr.js';
import { DataSource } from 'typeorm';
import { AuditContext, AuditService } from '@app/audit';
import { Clock, DomainException } from '@app/common';
import type { EnvironmentVariables } from '@app/config';
import type { OperatorRole, Principal } from '../auth/principal';
import { ApiTokenEntity } from '../entities';
import { generateToken, hashToken, TOKEN_PREFIX } from '../security/tokens';
import { invalidToken } from './sessions.service';

export interface CreateApiTokenInput {
  name: string;
  role?: OperatorRole;
  expiresInDays: number;
  ipAllowList?: string[];
}

export interface ApiTokenView {
  id: string;
  operatorId: string;
  name: string;
  role: OperatorRole;
  prefix: string;
  ipAllowList: string[];
  expiresAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LAST_USED_RESOLUTION_MS = 60_000;

const view = (t: ApiTokenEntity): ApiTokenView => ({
  id: t.id,
  operatorId: t.operatorId,
  name: t.name,
  role: t.role,
  prefix: t.tokenPrefix,
  ipAllowList: t.ipAllowList,
  expiresAt: t.expiresAt,
  lastUsedAt: t.lastUsedAt,
  revokedAt: t.revokedAt,
  createdAt: t.createdAt,
});

// A token may carry its creator's role, or any role if the creator is an admin:
// an operator cannot mint an auditor (read-all) token, nor an auditor an operator one.
export function mayGrant(creator: OperatorRole, wanted: OperatorRole): boolean {
  return creator === 'admin' || creator === wanted;
}

export function normaliseCidrs(list: string[]): string[] {
  return list.map((entry) => {
    const text = entry.trim();
    try {
      const [addr, bits] = text.includes('/')
        ? ipaddr.parseCIDR(text)
        : [ipaddr.parse(text), ipaddr.parse(text).kind() === 'ipv4' ? 32 : 128];
      const base =
        addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()
          ? (addr as ipaddr.IPv6).toIPv4Address()
          : addr;
      const prefix = base.kind() === 'ipv4' && addr.kind() === 'ipv6' ? Math.max(0, bits - 96) : bits;
      return `${base.toString()}/${prefix}`;
    } catch {
      throw new DomainException({
        code: 'API_TOKEN_INVALID_CIDR',
        kind: 'invalid',
        message: `"${text.slice(0, 64)}" is not an IP address or CIDR range`,
      });
    }
  });
}

export function ipAllowed(ip: string | undefined, cidrs: string[]): boolean {
  if (cidrs.length === 0) return true;
  if (!ip || !ipaddr.isValid(ip)) return false;
  let addr = ipaddr.parse(ip);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress())
    addr = (addr as ipaddr.IPv6).toIPv4Address();
  return cidrs.some((c) => {
    const [range, bits] = ipaddr.parseCIDR(c);
    return range.kind() === addr.kind() && addr.match(range, bits);
  });
}

@Injectable()
export class ApiTokensService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly config: ConfigService<EnvironmentVariables, true>,
  ) {}

  async create(
    principal: Principal,
    input: CreateApiTokenInput,
    ctx: AuditContext,
  ): Promise<ApiTokenView & { token: string }> {
    if (principal.kind !== 'operator') {
      throw new DomainException({
        code: 'API_TOKEN_SESSION_REQUIRED',
        kind: 'forbidden',
        message: 'API tokens are created from an operator session, not with another API token',
      });
    }
    const role = input.role ?? principal.role;
    if (!mayGrant(principal.role, role)) {
      throw new DomainException({
        code: 'API_TOKEN_ROLE_TOO_HIGH',
        kind: 'forbidden',
        message: `A ${principal.role} cannot create a token with the ${role} role`,
      });
    }
    const maxDays = this.config.get('API_TOKEN_MAX_DAYS', { infer: true });
    if (!Number.isInteger(input.expiresInDays) || input.expiresInDays < 1 || input.expiresInDays > maxDays) {
      throw new DomainException({
        code: 'API_TOKEN_EXPIRY_INVALID',
        kind: 'invalid',
        message: `expiresInDays must be between 1 and ${maxDays}`,
      });
    }
    const ipAllowList = normaliseCidrs(input.ipAllowList ?? []);
    const token = generateToken(TOKEN_PREFIX.apiToken);
    const saved = await this.dataSource.transaction(async (m) => {
      const repo = m.getRepository(ApiTokenEntity);
      const row = await repo.save(
        repo.create({
          operatorId: principal.operatorId,
          name: input.name.trim(),
          role,
          tokenHash: hashToken(token),
          tokenPrefix: token.slice(0, 10),
          ipAllowList,
          expiresAt: new Date(this.clock.now().getTime() + input.expiresInDays * 86_400_000),
        }),
      );
      await this.audit.record(
        {
          ...ctx,
          action: 'api_token.created',
          objectType: 'api_token',
          objectId: row.id,
          result: 'success',
          metadata: { name: row.name, role, expiresAt: row.expiresAt.toISOString(), ipAllowList },
        },
        m,
      );
      return row;
    });
    return { ...view(saved), token };
  }

  // Operators see their own tokens; admins and auditors see everyone's.
  async list(principal: Principal): Promise<ApiTokenView[]> {
    const where = principal.role === 'operator' ? { operatorId: principal.operatorId } : {};
    const rows = await this.dataSource
      .getRepository(ApiTokenEntity)
      .find({ where, order: { createdAt: 'DESC' } });
    return rows.map(view);
  }

  async revoke(principal: Principal, id: string, ctx: AuditContext): Promise<ApiTokenView> {
    return this.dataSource.transaction(async (m) => {
      const repo = m.getRepository(ApiTokenEntity);
      const t = UUID.test(id)
        ? await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } })
        : null;
      // Someone else's token answers 404, as if it did not exist.
      if (!t || (principal.role !== 'admin' && t.operatorId !== principal.operatorId)) {
        throw new DomainException({
          code: 'API_TOKEN_NOT_FOUND',
          kind: 'not_found',
          message: 'No such API token',
        });
      }
      if (!t.revokedAt) {
        t.revokedAt = this.clock.now();
        await repo.save(t);
        await this.audit.record(
          { ...ctx, action: 'api_token.revoked', objectType: 'api_token', objectId: t.id, result: 'success' },
          m,
        );
      }
      return view(t);
    });
  }

  async authenticate(token: string, ip: string | undefined): Promise<Principal> {
    const rows: {
      id: string;
      operator_id: string;
      role: OperatorRole;
      ip_allow_list: string[];
      last_used_at: Date | null;
      email: string;
      operator_role: OperatorRole;
    }[] = await this.dataSource.query(
      `SELECT t.id, t.operator_id, t.role, t.ip_allow_list, t.last_used_at, o.email, o.role AS operator_role
       FROM api_tokens t JOIN operators o ON o.id = t.operator_id
       WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND o.status = 'active'`,
      [hashToken(token), this.clock.now()],
    );
    const t = rows[0];
    // A token whose creator has since lost the role it carries stops working.
    if (!t || !mayGrant(t.operator_role, t.role)) throw invalidToken();
    if (!ipAllowed(ip, t.ip_allow_list)) {
      throw new DomainException({
        code: 'API_TOKEN_IP_NOT_ALLOWED',
        kind: 'forbidden',
        message: 'This API token may not be used from this address',
      });
    }
    const now = this.clock.now();
    if (!t.last_used_at || now.getTime() - new Date(t.last_used_at).getTime() > LAST_USED_RESOLUTION_MS) {
      await this.dataSource.query('UPDATE api_tokens SET last_used_at = $2 WHERE id = $1', [t.id, now]);
    }
    return { kind: 'api_token', operatorId: t.operator_id, role: t.role, email: t.email, tokenId: t.id };
  }
}
