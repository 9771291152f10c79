import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JobsModule } from '@app/jobs';
import { NotificationsService } from './notifications.service';
import { WebhookDeliveryEntity, WebhookEntity } from './webhook.entity';

// Outgoing notifications: NotificationsService.emit(event, payload, manager?) writes
// the outbox (webhook_deliveries) in the caller's transaction; the "webhooks.deliver"
// job signs (HMAC-SHA256) and posts them, retrying with exponential backoff.
@Module({
  imports: [TypeOrmModule.forFeature([WebhookEntity, WebhookDeliveryEntity]), JobsModule],
  providers: [NotificationsService],
  exports: [NotificationsService],
})
export class NotificationsModule {}
