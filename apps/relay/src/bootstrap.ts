import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { configureRelay } from './configure-app';
import { RelayAppModule } from './relay-app.module';

export async function createRelay(): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(RelayAppModule, {
    bufferLogs: true,
    abortOnError: false,
  });
  configureRelay(app);
  return app;
}
