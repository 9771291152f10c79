import { Body, Controller, Get, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { auditContextFrom } from '@app/audit';
import { ConsumerKeysService, describePresets } from '@app/consumer-keys';
import { CurrentPrincipal, type Principal } from '@app/operators';
import {
  ConsumerKeyDto,
  RenewConsumerKeyRequestDto,
  RequestConsumerKeyRequestDto,
} from './consumer-keys.dto';
import { IDEMPOTENCY_HEADER, idempotentReply } from './idempotent-reply';

// Admins and assigned operators request, renew and revoke; auditors read. The
// account must be visible to the caller (404 otherwise).
@ApiTags('consumer-keys')
@ApiBearerAuth()
@Controller('accounts/:accountId/consumer-keys')
export class ConsumerKeysController {
  constructor(private readonly keys: ConsumerKeysService) {}

  @Post()
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiCreatedResponse({
    type: ConsumerKeyDto,
    description: 'Pending key with the validationUrl for the customer',
  })
  async request(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentPrincipal() principal: Principal,
    @Param('accountId') accountId: string,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() body: RequestConsumerKeyRequestDto,
  ): Promise<ConsumerKeyDto> {
    const result = await this.keys.request(principal, accountId, body, idempotencyKey, auditContextFrom(req));
    return idempotentReply(res, result);
  }

  @Get()
  @ApiOkResponse({ type: [ConsumerKeyDto] })
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('accountId') accountId: string,
  ): Promise<ConsumerKeyDto[]> {
    return this.keys.list(principal, accountId);
  }

  @Get(':id')
  @ApiOkResponse({ type: ConsumerKeyDto })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('accountId') accountId: string,
    @Param('id') id: string,
  ): Promise<ConsumerKeyDto> {
    return this.keys.get(principal, accountId, id);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOkResponse({
    type: ConsumerKeyDto,
    description: 'revoked; or revocationPending when OVHcloud could not be reached (retried by a job)',
  })
  revoke(
    @Req() req: Request,
    @CurrentPrincipal() principal: Principal,
    @Param('accountId') accountId: string,
    @Param('id') id: string,
  ): Promise<ConsumerKeyDto> {
    return this.keys.revoke(principal, accountId, id, auditContextFrom(req));
  }

  @Post(':id/renew')
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiCreatedResponse({ type: ConsumerKeyDto, description: 'The successor, pending validation' })
  async renew(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentPrincipal() principal: Principal,
    @Param('accountId') accountId: string,
    @Param('id') id: string,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() body: RenewConsumerKeyRequestDto,
  ): Promise<ConsumerKeyDto> {
    const result = await this.keys.renew(
      principal,
      accountId,
      id,
      body,
      idempotencyKey,
      auditContextFrom(req),
    );
    return idempotentReply(res, result);
  }

  @Post(':id/sync')
  @HttpCode(200)
  @ApiOkResponse({
    type: ConsumerKeyDto,
    description: 'Re-reads the key from OVHcloud (GET /auth/currentCredential)',
  })
  sync(
    @Req() req: Request,
    @CurrentPrincipal() principal: Principal,
    @Param('accountId') accountId: string,
    @Param('id') id: string,
  ): Promise<ConsumerKeyDto> {
    return this.keys.refresh(principal, accountId, id, auditContextFrom(req));
  }
}

@ApiTags('consumer-keys')
@ApiBearerAuth()
@Controller('rule-presets')
export class RulePresetsController {
  @Get()
  @ApiOkResponse({ description: 'Access-rule presets usable in a consumer-key request' })
  list() {
    return describePresets();
  }
}
