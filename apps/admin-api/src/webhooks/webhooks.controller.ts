import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { auditContextFrom } from '@app/audit';
import { NotificationsService } from '@app/notifications';
import { Roles } from '@app/operators';
import {
  CreatedWebhookDto,
  CreateWebhookRequestDto,
  UpdateWebhookRequestDto,
  WebhookDeliveryDto,
  WebhookDto,
} from './webhooks.dto';

@ApiTags('webhooks')
@ApiBearerAuth()
@Roles('admin')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly notifications: NotificationsService) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedWebhookDto })
  async create(@Req() req: Request, @Body() body: CreateWebhookRequestDto): Promise<CreatedWebhookDto> {
    const { webhook, secret } = await this.notifications.createWebhook(body, auditContextFrom(req));
    return { ...webhook, secret };
  }

  @Get()
  @ApiOkResponse({ type: [WebhookDto] })
  list(): Promise<WebhookDto[]> {
    return this.notifications.listWebhooks();
  }

  @Get(':id')
  @ApiOkResponse({ type: WebhookDto })
  get(@Param('id') id: string): Promise<WebhookDto> {
    return this.notifications.getWebhook(id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: WebhookDto })
  update(
    @Req() req: Request,
    @Param('id') id: string,
    @Body() body: UpdateWebhookRequestDto,
  ): Promise<WebhookDto> {
    return this.notifications.updateWebhook(id, body, auditContextFrom(req));
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOkResponse({ type: CreatedWebhookDto })
  async rotate(@Req() req: Request, @Param('id') id: string): Promise<CreatedWebhookDto> {
    const { webhook, secret } = await this.notifications.rotateSecret(id, auditContextFrom(req));
    return { ...webhook, secret };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Req() req: Request, @Param('id') id: string): Promise<void> {
    await this.notifications.deleteWebhook(id, auditContextFrom(req));
  }

  @Get(':id/deliveries')
  @ApiQuery({ name: 'limit', required: false })
  @ApiOkResponse({ type: [WebhookDeliveryDto] })
  deliveries(@Param('id') id: string, @Query('limit') limit?: string): Promise<WebhookDeliveryDto[]> {
    const n = limit && /^\d{1,3}$/.test(limit) ? Number(limit) : 100;
    return this.notifications.listDeliveries(id, n);
  }
}
