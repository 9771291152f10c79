import { randomUUID } from 'node:crypto';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { Clock, DomainException } from '@app/common';
import { AuditService, type AuditContext } from '@app/audit';
import { VaultService } from '@app/vault';
import { InvalidEndpointError, OvhUpstreamClient, resolveEndpoint } from '@app/ovh-protocol';
import { ApplicationEntity } from './application.entity';
import { checkApplicationKeyFormat } from './application-key-format';

export interface RegisterApplicationInput {
  label: string;
  endpoint: string;
  appKey: string;
  appSecret: string;
  description?: string | null;
}

export interface ApplicationView {
  id: string;
  label: string;
  endpoint: string;
  endpointBaseUrl: string;
  appKey: string;
  description: string | null;
  status: 'active' | 'disabled';
  createdAt: Date;
  updatedAt: Date;
  disabledAt: Date | null;
}

export interface ApplicationSigningKeys {
  id: string;
  endpointBaseUrl: string;
  appKey: string;
  appSecret: string;
}

const SEALED = { table: 'applications', column: 'app_secret_sealed', idColumn: 'id' } as const;

@Injectable()
export class ApplicationsService implements OnModuleInit {
  constructor(
    @InjectRepository(ApplicationEntity) private readonly repo: Repository<ApplicationEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly vault: VaultService,
    private readonly audit: AuditService,
    private readonly upstream: OvhUpstreamClient,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.vault.registerSealedColumn(SEALED);
  }

  // The AK itself can only be proven by an authenticated exchange; the first consumer-key
  // request (POST /auth/credential answers 403 INVALID_KEY for an unknown AK) does that.
  // Here: formats, endpoint syntax and that the endpoint answers GET /auth/time.
  async register(input: RegisterApplicationInput, ctx: AuditContext): Promise<ApplicationView> {
    const appKey = input.appKey.trim();
    const appSecret = input.appSecret.trim();
    const problems = checkApplicationKeyFormat(appKey, appSecret);
    if (problems.length > 0) {
      throw new DomainException({
        code: 'APPLICATION_KEY_FORMAT',
        kind: 'invalid',
        message: 'The application key or secret does not have the expected format',
        details: { fields: problems.map((p) => ({ field: p.field, problems: [p.problem] })) },
      });
    }
    let endpointBaseUrl: string;
    try {
      endpointBaseUrl = resolveEndpoint(input.endpoint);
    } catch (e) {
      if (e instanceof InvalidEndpointError) {
        throw new DomainException({
          code: 'APPLICATION_ENDPOINT_INVALID',
          kind: 'invalid',
          message: e.message,
        });
      }
      throw e;
    }
    if (await this.repo.exists({ where: { endpointBaseUrl, appKey } })) {
      throw new DomainException({
        code: 'APPLICATION_ALREADY_REGISTERED',
        kind: 'conflict',
        message: 'This application key is already registered for this endpoint',
      });
    }
    try {
      await this.upstream.getTime(endpointBaseUrl);
    } catch {
      throw new DomainException({
        code: 'APPLICATION_ENDPOINT_UNREACHABLE',
        kind: 'unprocessable',
        message: `The endpoint ${endpointBaseUrl} did not answer GET /auth/time`,
      });
    }
    this.vault.assertUnsealed();
    const id = randomUUID();
    const now = this.clock.now();
    const entity = this.repo.create({
      id,
      label: input.label.trim(),
      endpoint: input.endpoint.trim(),
      endpointBaseUrl,
      appKey,
      appSecretSealed: await this.vault.seal(appSecret, {
        table: SEALED.table,
        column: SEALED.column,
        rowId: id,
      }),
      description: input.description?.trim() || null,
      createdBy: ctx.actor.type === 'operator' ? (ctx.actor.id ?? null) : null,
      createdAt: now,
      updatedAt: now,
      disabledAt: null,
    });
    await this.dataSource.transaction(async (m) => {
      await m.insert(ApplicationEntity, entity);
      await this.audit.record(
        {
          ...ctx,
          action: 'application.registered',
          objectType: 'application',
          objectId: id,
          result: 'success',
          metadata: { label: entity.label, endpoint: endpointBaseUrl, appKey },
        },
        m,
      );
    });
    return toView(entity);
  }

  async list(): Promise<ApplicationView[]> {
    return (await this.repo.find({ order: { createdAt: 'ASC' } })).map(toView);
  }

  async get(id: string): Promise<ApplicationView> {
    return toView(await this.find(id));
  }

  async disable(id: string, ctx: AuditContext): Promise<ApplicationView> {
    return this.dataSource.transaction(async (m) => {
      const entity = await m.findOne(ApplicationEntity, {
        where: { id },
        lock: { mode: 'pessimistic_write' },
      });
      if (!entity) throw notFound();
      if (entity.disabledAt) return toView(entity);
      entity.disabledAt = this.clock.now();
      entity.updatedAt = entity.disabledAt;
      await m.update(
        ApplicationEntity,
        { id },
        { disabledAt: entity.disabledAt, updatedAt: entity.updatedAt },
      );
      await this.audit.record(
        {
          ...ctx,
          action: 'application.disabled',
          objectType: 'application',
          objectId: id,
          result: 'success',
        },
        m,
      );
      return toView(entity);
    });
  }

  // For a consumer-key request naming this application: it must exist and be enabled.
  async requireActive(id: string): Promise<ApplicationView> {
    const entity = await this.repo.findOne({ where: { id } });
    if (!entity) {
      throw new DomainException({
        code: 'APPLICATION_UNKNOWN',
        kind: 'unprocessable',
        message: 'No application has this id',
      });
    }
    if (entity.disabledAt) {
      throw new DomainException({
        code: 'APPLICATION_DISABLED',
        kind: 'unprocessable',
        message: 'This application is disabled',
      });
    }
    return toView(entity);
  }

  // The only way out for the plaintext secret; callers: consumer-keys and the relay.
  async getSigningKeys(id: string): Promise<ApplicationSigningKeys> {
    const entity = await this.find(id);
    const appSecret = await this.vault.open(entity.appSecretSealed, {
      table: SEALED.table,
      column: SEALED.column,
      rowId: entity.id,
    });
    return { id: entity.id, endpointBaseUrl: entity.endpointBaseUrl, appKey: entity.appKey, appSecret };
  }

  private async find(id: string): Promise<ApplicationEntity> {
    const entity = isUuid(id) ? await this.repo.findOne({ where: { id } }) : null;
    if (!entity) throw notFound();
    return entity;
  }
}

function notFound(): DomainException {
  return new DomainException({
    code: 'APPLICATION_NOT_FOUND',
    kind: 'not_found',
    message: 'Application not found',
  });
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

function toView(e: ApplicationEntity): ApplicationView {
  return {
    id: e.id,
    label: e.label,
    endpoint: e.endpoint,
    endpointBaseUrl: e.endpointBaseUrl,
    appKey: e.appKey,
    description: e.description,
    status: e.disabledAt ? 'disabled' : 'active',
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
    disabledAt: e.disabledAt,
  };
}
