import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { auditContextFrom } from '@app/audit';
import {
  AllowRestricted,
  AuthService,
  CurrentPrincipal,
  OperatorEntity,
  OperatorLocalGuard,
  type Principal,
  Public,
  Roles,
  SessionsService,
  TotpService,
} from '@app/operators';
import {
  LoginRequestDto,
  LoginResponseDto,
  MfaVerifyRequestDto,
  RecoveryCodesDto,
  RefreshRequestDto,
  SecondFactorDto,
  SessionTokensDto,
  TotpCodeDto,
  TotpEnrolmentDto,
} from './auth.dto';

const EVERY_ROLE = ['admin', 'operator', 'auditor'] as const;

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
    private readonly totp: TotpService,
  ) {}

  @Public()
  @UseGuards(OperatorLocalGuard)
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: LoginResponseDto })
  async login(@Req() req: Request, @Body() _body: LoginRequestDto): Promise<LoginResponseDto> {
    const operator = (req as Request & { user: OperatorEntity }).user;
    return this.auth.login(operator, auditContextFrom(req));
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: SessionTokensDto })
  refresh(@Req() req: Request, @Body() body: RefreshRequestDto): Promise<SessionTokensDto> {
    return this.sessions.refresh(body.refreshToken, auditContextFrom(req));
  }

  @Public()
  @Post('2fa/verify')
  @HttpCode(200)
  @ApiOkResponse({ type: SessionTokensDto })
  verify(@Req() req: Request, @Body() body: MfaVerifyRequestDto): Promise<SessionTokensDto> {
    return this.auth.verifyMfa(
      body.mfaToken,
      { code: body.code, recoveryCode: body.recoveryCode },
      auditContextFrom(req),
    );
  }

  @ApiBearerAuth()
  @AllowRestricted()
  @Roles(...EVERY_ROLE)
  @Post('logout')
  @HttpCode(204)
  async logout(@Req() req: Request, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.sessions.logout(principal, auditContextFrom(req));
  }

  @ApiBearerAuth()
  @AllowRestricted()
  @Roles(...EVERY_ROLE)
  @Post('2fa/enrol')
  @HttpCode(200)
  @ApiOkResponse({ type: TotpEnrolmentDto })
  enrol(@Req() req: Request, @CurrentPrincipal() principal: Principal): Promise<TotpEnrolmentDto> {
    return this.totp.enrol(principal, auditContextFrom(req));
  }

  @ApiBearerAuth()
  @AllowRestricted()
  @Roles(...EVERY_ROLE)
  @Post('2fa/confirm')
  @HttpCode(200)
  @ApiOkResponse({ type: RecoveryCodesDto })
  confirm(@Req() req: Request, @CurrentPrincipal() principal: Principal, @Body() body: TotpCodeDto) {
    return this.totp.confirm(principal, body.code, auditContextFrom(req));
  }

  @ApiBearerAuth()
  @Roles(...EVERY_ROLE)
  @Post('2fa/disable')
  @HttpCode(204)
  async disable(
    @Req() req: Request,
    @CurrentPrincipal() principal: Principal,
    @Body() body: SecondFactorDto,
  ) {
    await this.totp.disable(
      principal,
      { code: body.code, recoveryCode: body.recoveryCode },
      auditContextFrom(req),
    );
  }
}
