import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AdminApiModule } from './admin-api.module';
import { configureAdminApi } from './configure-app';

export async function createAdminApi(): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AdminApiModule, {
    bufferLogs: true,
    abortOnError: false,
  });
  configureAdminApi(app);
  return app;
}
