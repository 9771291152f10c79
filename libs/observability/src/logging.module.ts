import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { EnvironmentVariables } from '@app/config';
import { assignRequestId } from '@app/common';

// Every field that can carry a secret, wherever it appears in a log line.
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-ovh-signature"]',
  'req.headers["x-ovh-consumer"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.secret',
  '*.applicationSecret',
  '*.consumerKey',
  '*.token',
  '*.refreshToken',
  '*.accessToken',
  '*.masterKey',
];

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<EnvironmentVariables, true>) => ({
        pinoHttp: {
          level: config.get('LOG_LEVEL', { infer: true }),
          genReqId: (req, res) => (req as typeof req & { id?: string }).id ?? assignRequestId(req, res),
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
          autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') },
          serializers: {
            req: (req: { id: string; method: string; url: string }) => ({
              id: req.id,
              method: req.method,
              // the query string may carry tokens (validation callbacks), so only the path is logged
              path: req.url.split('?')[0],
            }),
          },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
