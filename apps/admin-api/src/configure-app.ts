import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { configureHttpApp, createValidationPipe } from '@app/common';

export const ADMIN_API_PREFIX = 'api/v1';

// Shared by main.ts and the e2e tests, so tests run the production setup.
export function configureAdminApi(app: NestExpressApplication): void {
  app.useLogger(app.get(Logger));
  configureHttpApp(app, { jsonLimit: '256kb' });
  app.setGlobalPrefix(ADMIN_API_PREFIX, { exclude: ['health/live', 'health/ready', 'metrics', '/'] });
  app.useGlobalPipes(createValidationPipe());
}
