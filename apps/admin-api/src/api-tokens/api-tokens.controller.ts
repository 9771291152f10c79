import { Body, Controller, Delete, Get, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { auditContextFrom } from '@app/audit';
import { ApiTokensService, CurrentPrincipal, type Principal, Roles } from '@app/operators';
import { ApiTokenDto, CreatedApiTokenDto, CreateApiTokenRequestDto } from './api-tokens.dto';

// Every role manages its own tokens (an auditor's tokens are read-only by role).
@ApiTags('api-tokens')
@ApiBearerAuth()
@Roles('admin', 'operator', 'auditor')
@Controller('api-tokens')
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedApiTokenDto })
  create(
    @Req() req: Request,
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateApiTokenRequestDto,
  ): Promise<CreatedApiTokenDto> {
    return this.tokens.create(principal, body, auditContextFrom(req));
  }

  @Get()
  @ApiOkResponse({ type: [ApiTokenDto], description: "Your tokens; admins and auditors see everyone's" })
  list(@CurrentPrincipal() principal: Principal): Promise<ApiTokenDto[]> {
    return this.tokens.list(principal);
  }

  @Delete(':id')
  @ApiOkResponse({ type: ApiTokenDto })
  revoke(
    @Req() req: Request,
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<ApiTokenDto> {
    return this.tokens.revoke(principal, id, auditContextFrom(req));
  }
}
