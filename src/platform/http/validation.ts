import { ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, FieldError } from '../errors';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent
      ? /^\d+$/.test(e.property)
        ? `${parent}[${e.property}]`
        : `${parent}.${e.property}`
      : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([rule, message]) => ({
      field,
      code: rule === 'whitelistValidation' ? 'UNKNOWN_FIELD' : rule.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase(),
      message,
    }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

export class RequestValidationError extends DomainError {
  constructor(errors: FieldError[]) {
    const fields = [...new Set(errors.map((e) => e.field))].join(', ');
    super('VALIDATION_FAILED', 'invalid', `The request is not valid: check ${fields}.`, { errors });
  }
}

/** Unknown fields are refused, values are converted to the DTO's types, every bad field is listed. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => new RequestValidationError(flatten(errors)),
  });
}
