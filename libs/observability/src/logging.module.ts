import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule, Params } from 'nestjs-pino';
import type { DestinationStream, LoggerOptions } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import type { EnvironmentVariables, LogLevel } from '@app/config';
import { assignRequestId } from '@app/common';
import { REDACTED, scrubLogObject, scrubText } from './logging/redact';

// Where JSON log lines go: stdout unless a test (or an embedding process)
// provides another stream under this token.
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

// Fixed paths on top of the name-based scrubbing in ./logging/redact.ts: pino-http
// attaches these objects after our formatter has run.
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-ovh-signature"]',
  'req.headers["x-ovh-consumer"]',
  'res.headers["set-cookie"]',
];

type Req = IncomingMessage & { id?: string };

export function buildPinoHttpOptions(level: LogLevel): PinoHttpOptions & LoggerOptions {
  return {
    level,
    genReqId: (req: IncomingMessage, res: ServerResponse) => (req as Req).id ?? assignRequestId(req, res),
    redact: { paths: REDACTED_PATHS, censor: REDACTED },
    formatters: { log: (obj: Record<string, unknown>) => scrubLogObject(obj) },
    hooks: {
      // messages and printf-style arguments are scrubbed too
      logMethod(args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? scrubText(a) : a)),
        );
      },
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health') || req.url === '/metrics' },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        // the query string may carry tokens (validation callbacks), so only the path is logged
        path: scrubText(req.url.split('?')[0]),
      }),
      // response headers can carry Set-Cookie; the status is what the log needs
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
}

@Global()
@Module({
  providers: [{ provide: LOG_DESTINATION, useValue: null }],
  exports: [LOG_DESTINATION],
})
class LogDestinationModule {}

// Structured JSON logs (pino), one line per request with its id, and the same id
// on every line logged while handling it.
@Module({
  imports: [
    LogDestinationModule,
    LoggerModule.forRootAsync({
      imports: [LogDestinationModule],
      inject: [ConfigService, LOG_DESTINATION],
      useFactory: (
        config: ConfigService<EnvironmentVariables, true>,
        destination: DestinationStream | null,
      ): Params => {
        const options = buildPinoHttpOptions(config.get('LOG_LEVEL', { infer: true }));
        return { pinoHttp: destination ? [options, destination] : options };
      },
    }),
  ],
})
export class LoggingModule {}
