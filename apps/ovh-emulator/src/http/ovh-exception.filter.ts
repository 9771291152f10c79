import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Inject,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';
import { OVH_ERRORS, ovhErrorBody, type OvhErrorSpec } from '@app/ovh-protocol';
import { EMULATOR_OPTIONS, type ResolvedEmulatorOptions } from '../emulator-options';
import { OvhHttpException } from './ovh-http.exception';

// Every failure, including unknown routes and crashes, leaves as an OVH-style JSON error.
@Catch()
export class OvhExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('OvhEmulator');

  constructor(@Inject(EMULATOR_OPTIONS) private readonly options: ResolvedEmulatorOptions) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const spec = this.toSpec(exception);
    if (res.headersSent) {
      res.end();
      return;
    }
    res
      .status(spec.status)
      .type('application/json')
      .send(JSON.stringify(ovhErrorBody(this.options.errorStyle, spec)));
  }

  private toSpec(exception: unknown): OvhErrorSpec {
    if (exception instanceof OvhHttpException) return exception.spec;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === 404) return OVH_ERRORS.INVALID_URL;
      return { status, message: exception.message };
    }
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
    );
    return { status: 500, message: 'Internal server error', class: 'Server::InternalServerError' };
  }
}
