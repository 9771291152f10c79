export * from './notification-events';
export * from './notifications.module';
export * from './notifications.service';
export * from './webhook-signature';
export * from './webhook-url';
export * from './webhook.entity';
