import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, ValidationFailed } from '@caravanserai/contracts';

/** Flattens class-validator's tree into field paths. A path through an array of records (as in
 * `records.3.dateOfBirth`) is reported as the record's index and the field inside it. */
export function toFieldErrors(errors: ValidationError[]): FieldError[] {
  const out: FieldError[] = [];
  const walk = (list: ValidationError[], path: string[]) => {
    for (const e of list) {
      const here = [...path, e.property];
      for (const message of Object.values(e.constraints ?? {})) out.push(locate(here, message));
      walk(e.children ?? [], here);
    }
  };
  walk(errors, []);
  return out;
}

function locate(path: string[], message: string): FieldError {
  const i = path.findIndex((p) => /^\d+$/.test(p));
  if (i === 1) {
    const field = path.slice(2).join('.') || path[0];
    return { index: Number(path[1]), field, message };
  }
  return { field: path.join('.'), message };
}

/**
 * The global pipe: whitelist, reject unknown fields, transform. A bad body is 422 (the request
 * was understood, its content is invalid); bad query or path parameters are 400.
 */
@Injectable()
export class AppValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => new ValidationFailed(toFieldErrors(errors), 'bad_request'),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    try {
      return await super.transform(value, metadata);
    } catch (e) {
      if (e instanceof ValidationFailed && metadata.type === 'body') throw new ValidationFailed(e.errors, 'unprocessable');
      throw e;
    }
  }
}
