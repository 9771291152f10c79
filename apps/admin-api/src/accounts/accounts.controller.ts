import { Body, Controller, Get, Param, Patch, Post, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AccountsService } from '@app/accounts';
import { auditContextFrom } from '@app/audit';
import { CurrentPrincipal, type Principal, Roles } from '@app/operators';
import {
  AccountDto,
  CreateAccountRequestDto,
  SetAccountOperatorsRequestDto,
  UpdateAccountRequestDto,
} from './accounts.dto';

// Admins manage accounts; an operator sees only the accounts assigned to them
// (any other id answers 404); auditors read everything.
@ApiTags('accounts')
@ApiBearerAuth()
@Controller('accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Post()
  @Roles('admin')
  @ApiCreatedResponse({ type: AccountDto })
  create(@Req() req: Request, @Body() body: CreateAccountRequestDto): Promise<AccountDto> {
    return this.accounts.create(body, auditContextFrom(req));
  }

  @Get()
  @ApiOkResponse({ type: [AccountDto] })
  list(@CurrentPrincipal() principal: Principal): Promise<AccountDto[]> {
    return this.accounts.list(principal);
  }

  @Get(':id')
  @ApiOkResponse({ type: AccountDto })
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<AccountDto> {
    return this.accounts.getVisible(principal, id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOkResponse({ type: AccountDto })
  update(
    @Req() req: Request,
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: UpdateAccountRequestDto,
  ): Promise<AccountDto> {
    return this.accounts.update(principal, id, body, auditContextFrom(req));
  }

  @Put(':id/operators')
  @Roles('admin')
  @ApiOkResponse({ type: AccountDto })
  setOperators(
    @Req() req: Request,
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: SetAccountOperatorsRequestDto,
  ): Promise<AccountDto> {
    return this.accounts.setOperators(principal, id, body.operatorIds, auditContextFrom(req));
  }
}
