import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { configureHttpApp } from '@app/common';

export function configureRelay(app: NestExpressApplication): void {
  app.useLogger(app.get(Logger));
  configureHttpApp(app, { jsonLimit: '1mb' });
}
