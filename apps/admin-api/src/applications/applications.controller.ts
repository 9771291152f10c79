import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApplicationsService } from '@app/applications';
import { auditContextFrom } from '@app/audit';
import { Roles } from '@app/operators';
import { ApplicationDto, RegisterApplicationRequestDto } from './applications.dto';

// Admins manage application keys; auditors may read them (never the secret).
@ApiTags('applications')
@ApiBearerAuth()
@Controller('applications')
export class ApplicationsController {
  constructor(private readonly applications: ApplicationsService) {}

  @Post()
  @Roles('admin')
  @ApiCreatedResponse({ type: ApplicationDto })
  register(@Req() req: Request, @Body() body: RegisterApplicationRequestDto): Promise<ApplicationDto> {
    return this.applications.register(body, auditContextFrom(req));
  }

  @Get()
  @Roles('auditor')
  @ApiOkResponse({ type: [ApplicationDto] })
  list(): Promise<ApplicationDto[]> {
    return this.applications.list();
  }

  @Get(':id')
  @Roles('auditor')
  @ApiOkResponse({ type: ApplicationDto })
  get(@Param('id') id: string): Promise<ApplicationDto> {
    return this.applications.get(id);
  }

  @Post(':id/disable')
  @HttpCode(200)
  @Roles('admin')
  @ApiOkResponse({ type: ApplicationDto })
  disable(@Req() req: Request, @Param('id') id: string): Promise<ApplicationDto> {
    return this.applications.disable(id, auditContextFrom(req));
  }
}
