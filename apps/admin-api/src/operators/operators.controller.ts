import { Body, Controller, Get, HttpCode, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { auditContextFrom } from '@app/audit';
import {
  AllowRestricted,
  AuthService,
  CurrentPrincipal,
  OperatorsService,
  type Principal,
  Roles,
  TotpService,
} from '@app/operators';
import {
  ChangePasswordRequestDto,
  ChangePasswordResponseDto,
  CreatedOperatorDto,
  CreateOperatorRequestDto,
  MeDto,
  OperatorDto,
  UpdateOperatorRequestDto,
} from './operators.dto';

@ApiTags('operators')
@ApiBearerAuth()
@Roles('admin')
@Controller('operators')
export class OperatorsController {
  constructor(
    private readonly operators: OperatorsService,
    private readonly totp: TotpService,
  ) {}

  @Get()
  @ApiOkResponse({ type: [OperatorDto] })
  list(): Promise<OperatorDto[]> {
    return this.operators.list();
  }

  @Get(':id')
  @ApiOkResponse({ type: OperatorDto })
  get(@Param('id') id: string): Promise<OperatorDto> {
    return this.operators.get(id);
  }

  @Post()
  @ApiCreatedResponse({ type: CreatedOperatorDto })
  async create(@Req() req: Request, @Body() body: CreateOperatorRequestDto): Promise<CreatedOperatorDto> {
    const { operator, generatedPassword } = await this.operators.create(body, auditContextFrom(req));
    return { ...operator, initialPassword: generatedPassword };
  }

  @Patch(':id')
  @ApiOkResponse({ type: OperatorDto })
  update(
    @Req() req: Request,
    @Param('id') id: string,
    @Body() body: UpdateOperatorRequestDto,
  ): Promise<OperatorDto> {
    return this.operators.update(id, body, auditContextFrom(req));
  }

  @Post(':id/disable')
  @HttpCode(200)
  @ApiOkResponse({ type: OperatorDto, description: 'Also revokes their sessions and API tokens' })
  disable(@Req() req: Request, @Param('id') id: string): Promise<OperatorDto> {
    return this.operators.update(id, { status: 'disabled' }, auditContextFrom(req));
  }

  @Post(':id/enable')
  @HttpCode(200)
  @ApiOkResponse({ type: OperatorDto })
  enable(@Req() req: Request, @Param('id') id: string): Promise<OperatorDto> {
    return this.operators.update(id, { status: 'active' }, auditContextFrom(req));
  }

  @Post(':id/2fa/reset')
  @HttpCode(204)
  async resetSecondFactor(@Req() req: Request, @Param('id') id: string): Promise<void> {
    await this.operators.get(id);
    await this.totp.reset(id, auditContextFrom(req));
  }
}

@ApiTags('operators')
@ApiBearerAuth()
@Controller('me')
export class MeController {
  constructor(
    private readonly operators: OperatorsService,
    private readonly auth: AuthService,
  ) {}

  @AllowRestricted()
  @Get()
  @ApiOkResponse({ type: MeDto })
  async me(@CurrentPrincipal() principal: Principal): Promise<MeDto> {
    const operator = await this.operators.get(principal.operatorId);
    return {
      ...operator,
      role: principal.role,
      authenticatedAs: principal.kind,
      tokenId: principal.tokenId,
      restricted: principal.restricted === true,
    };
  }

  // Every role may change its own password, from a session (not an API token).
  @Roles('admin', 'operator', 'auditor')
  @Post('password')
  @HttpCode(200)
  @ApiOkResponse({ type: ChangePasswordResponseDto, description: 'Your other sessions are ended' })
  changePassword(
    @Req() req: Request,
    @CurrentPrincipal() principal: Principal,
    @Body() body: ChangePasswordRequestDto,
  ): Promise<ChangePasswordResponseDto> {
    return this.auth.changePassword(principal, body.currentPassword, body.newPassword, auditContextFrom(req));
  }
}
