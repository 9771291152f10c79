import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { auditContextFrom } from '@app/audit';
import type { EnvironmentVariables } from '@app/config';
import { GrantSettingsService, GrantsService } from '@app/grants';
import { CurrentPrincipal, type Principal, Roles } from '@app/operators';
import {
  CreatedGrantDto,
  CreateGrantRequestDto,
  GrantDto,
  GrantSettingsDto,
  ListGrantsQueryDto,
  RevokeGrantRequestDto,
  UpdateGrantSettingsRequestDto,
} from './grants.dto';

// Admins and assigned operators issue and revoke grants; auditors read. The account must be
// visible to the caller (404 otherwise). The credentials are in the creation response only.
@ApiTags('grants')
@ApiBearerAuth()
@Controller('accounts/:accountId/grants')
export class GrantsController {
  private readonly relayBase: string;

  constructor(
    private readonly grants: GrantsService,
    config: ConfigService<EnvironmentVariables, true>,
  ) {
    const publicUrl = config.get('RELAY_PUBLIC_URL', { infer: true });
    this.relayBase = (publicUrl || `http://localhost:${config.get('RELAY_PORT', { infer: true })}`).replace(
      /\/+$/,
      '',
    );
  }

  @Post()
  @ApiCreatedResponse({ type: CreatedGrantDto, description: 'The credentials are shown once' })
  async create(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentPrincipal() principal: Principal,
    @Param('accountId') accountId: string,
    @Body() body: CreateGrantRequestDto,
  ): Promise<CreatedGrantDto> {
    const created = await this.grants.create(
      principal,
      accountId,
      {
        consumerKeyId: body.consumerKeyId,
        holder: { type: body.holder.type, name: body.holder.name, email: body.holder.email ?? null },
        description: body.description ?? null,
        accessRules: body.accessRules,
        ...(body.expiresAt !== undefined ? { expiresAt: new Date(body.expiresAt) } : {}),
        ...(body.ttlSeconds !== undefined ? { ttlSeconds: body.ttlSeconds } : {}),
        allowedIPs: body.allowedIPs ?? null,
        ...(body.rateLimitPerMinute !== undefined ? { rateLimitPerMinute: body.rateLimitPerMinute } : {}),
        readOnly: body.readOnly ?? false,
      },
      auditContextFrom(req),
    );
    res.setHeader('Cache-Control', 'no-store');
    return {
      grant: created.grant,
      credentials: { ...created.credentials, endpoint: `${this.relayBase}/1.0` },
    };
  }

  @Get()
  @ApiOkResponse({ type: [GrantDto] })
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('accountId') accountId: string,
    @Query() query: ListGrantsQueryDto,
  ): Promise<GrantDto[]> {
    return this.grants.list(principal, accountId, query.status ? { status: query.status } : {});
  }

  @Get(':grantId')
  @ApiOkResponse({ type: GrantDto })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('accountId') accountId: string,
    @Param('grantId') grantId: string,
  ): Promise<GrantDto> {
    return this.grants.get(principal, accountId, grantId);
  }

  @Post(':grantId/revoke')
  @HttpCode(200)
  @ApiOkResponse({ type: GrantDto, description: 'Refused by every relay instance within a second' })
  revoke(
    @Req() req: Request,
    @CurrentPrincipal() principal: Principal,
    @Param('accountId') accountId: string,
    @Param('grantId') grantId: string,
    @Body() body: RevokeGrantRequestDto,
  ): Promise<GrantDto> {
    return this.grants.revoke(principal, accountId, grantId, auditContextFrom(req), body?.reason ?? null);
  }
}

@ApiTags('grants')
@ApiBearerAuth()
@Controller('grant-settings')
export class GrantSettingsController {
  constructor(private readonly settings: GrantSettingsService) {}

  @Get()
  @ApiOkResponse({ type: GrantSettingsDto })
  get(): Promise<GrantSettingsDto> {
    return this.settings.getMaxTtlSeconds();
  }

  @Put()
  @Roles('admin')
  @ApiOkResponse({ type: GrantSettingsDto })
  async update(@Req() req: Request, @Body() body: UpdateGrantSettingsRequestDto): Promise<GrantSettingsDto> {
    await this.settings.setMaxTtlSeconds(body.maxTtlSeconds, auditContextFrom(req));
    return this.settings.getMaxTtlSeconds();
  }
}
