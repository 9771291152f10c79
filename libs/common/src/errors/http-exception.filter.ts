import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { toDatabaseException } from './database-errors';
import { DomainException, ERROR_KIND_STATUS } from './domain.exception';

export interface ErrorBody {
  code: string;
  message: string;
  requestId?: string;
  details?: Record<string, unknown>;
}

const HTTP_STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
};

export function requestIdOf(req: Request): string | undefined {
  const id = (req as Request & { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}

// Known errors keep their code and message; anything else becomes an opaque 500
// whose stack goes to the log only, tied to the response by its request id.
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const requestId = requestIdOf(req);
    const { status, body, retryAfter } = this.toResponse(exception, requestId);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    res.status(status).json(body);
  }

  private toResponse(
    exception: unknown,
    requestId: string | undefined,
  ): { status: number; body: ErrorBody; retryAfter?: number } {
    // a database outage or timeout is a fast 503 the client may retry, not a 500
    exception = toDatabaseException(exception) ?? exception;
    if (exception instanceof DomainException) {
      const status = ERROR_KIND_STATUS[exception.kind];
      if (status >= 500) this.logger.warn(`${exception.code}: ${exception.message} (request ${requestId})`);
      return {
        status,
        retryAfter: exception.retryAfterSeconds,
        body: { code: exception.code, message: exception.message, requestId, details: exception.details },
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status < 500) {
        const code = HTTP_STATUS_CODES[status] ?? 'HTTP_ERROR';
        const message = status === 404 ? 'No such route' : this.safeMessage(exception);
        return { status, body: { code, message, requestId } };
      }
    }
    const parserStatus = this.bodyParserStatus(exception);
    if (parserStatus) {
      const code = HTTP_STATUS_CODES[parserStatus] ?? 'BAD_REQUEST';
      const message =
        parserStatus === 413 ? 'The request body is too large' : 'The request body is not valid JSON';
      return { status: parserStatus, body: { code, message, requestId } };
    }
    this.logger.error(
      `Unhandled error (request ${requestId})`,
      exception instanceof Error ? exception.stack : String(exception),
    );
    return { status: 500, body: { code: 'INTERNAL', message: 'Internal server error', requestId } };
  }

  private safeMessage(e: HttpException): string {
    const r = e.getResponse();
    if (typeof r === 'string') return r;
    const m = (r as { message?: unknown }).message;
    return typeof m === 'string' ? m : e.message;
  }

  // body-parser errors carry `type` and `status`; their message may quote the body, so it is not echoed.
  private bodyParserStatus(e: unknown): number | undefined {
    if (typeof e !== 'object' || e === null) return undefined;
    const { type, status } = e as { type?: unknown; status?: unknown };
    if (typeof type === 'string' && type.startsWith('entity.') && typeof status === 'number') return status;
    return undefined;
  }
}
