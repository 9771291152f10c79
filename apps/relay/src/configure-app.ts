import type { Server } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { configureHttpApp } from '@app/common';
import { installRelayServer, RelayService } from '@app/relay-core';

export function configureRelay(app: NestExpressApplication): void {
  app.useLogger(app.get(Logger));
  configureHttpApp(app, { jsonLimit: '1mb' });
  const relay = app.get(RelayService);
  installRelayServer(app.getHttpServer() as Server, relay.handle, {
    headersTimeoutMs: relay.settings.headersTimeoutMs,
    bodyTimeoutMs: relay.settings.bodyTimeoutMs,
  });
}
