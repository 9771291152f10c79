import { ConfigService } from '@nestjs/config';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { configureHttpApp, createValidationPipe } from '@app/common';
import type { EnvironmentVariables } from '@app/config';
import { relayUrlFromConfig, serveDashboard } from './dashboard/serve-dashboard';

export const ADMIN_API_PREFIX = 'api/v1';

// Shared by main.ts and the e2e tests, so tests run the production setup.
export function configureAdminApi(app: NestExpressApplication): void {
  app.useLogger(app.get(Logger));
  configureHttpApp(app, { jsonLimit: '256kb' });
  app.setGlobalPrefix(ADMIN_API_PREFIX, { exclude: ['health/live', 'health/ready', 'metrics', '/'] });
  app.useGlobalPipes(createValidationPipe());
  setUpOpenApi(app);
  const config = app.get(ConfigService<EnvironmentVariables, true>);
  serveDashboard(app, {
    relayUrl: relayUrlFromConfig(
      config.get('RELAY_PUBLIC_URL', { infer: true }),
      config.get('RELAY_PORT', { infer: true }),
    ),
  });
}

// Swagger UI at /docs and the document at /docs-json; both public (plain express
// routes, outside the auth guard), and they describe no secret.
function setUpOpenApi(app: NestExpressApplication): void {
  const config = new DocumentBuilder()
    .setTitle('OVHcloud credential broker: admin API')
    .setDescription('Operators, second factor, API tokens, audit trail and the credentials the broker holds.')
    .setVersion('1')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description: 'Session access token (oba_…) or API token (obt_…)',
    })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Broker admin API',
  });
}
