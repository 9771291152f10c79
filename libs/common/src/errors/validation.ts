import { ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainException } from './domain.exception';

export interface FieldError {
  field: string;
  problems: string[];
}

export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flattenValidationErrors(e.children ?? [], field)];
  });
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) =>
      new DomainException({
        code: 'VALIDATION_FAILED',
        kind: 'invalid',
        message: 'The request is not valid',
        details: { fields: flattenValidationErrors(errors) },
      }),
  });
}
