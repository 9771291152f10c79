import { Body, Controller, Get, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import type { Request } from 'express';
import { auditContextFrom } from '@app/audit';
import { CurrentPrincipal, type Principal, Roles, SecuritySettingsService } from '@app/operators';

export class SecuritySettingsDto {
  @ApiProperty({
    description:
      'Every operator must use a second factor; those without one get a session that can only enrol',
  })
  @IsBoolean()
  require2fa!: boolean;
}

@ApiTags('settings')
@ApiBearerAuth()
@Controller('settings')
export class SettingsController {
  constructor(private readonly security: SecuritySettingsService) {}

  @Get('security')
  @ApiOkResponse({ type: SecuritySettingsDto })
  get(): Promise<SecuritySettingsDto> {
    return this.security.get();
  }

  @Roles('admin')
  @Put('security')
  @ApiOkResponse({ type: SecuritySettingsDto })
  update(
    @Req() req: Request,
    @CurrentPrincipal() principal: Principal,
    @Body() body: SecuritySettingsDto,
  ): Promise<SecuritySettingsDto> {
    return this.security.update({ require2fa: body.require2fa }, auditContextFrom(req), principal.operatorId);
  }
}
