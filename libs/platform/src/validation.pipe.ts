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
 * A body DTO class may offer a precompiled check of its valid case: `acceptIfValid` returns the
 * transformed instance when the body certainly passes every decorator (whitelist and
 * forbidNonWhitelisted included), or null when it may not, in which case class-validator runs as
 * usual and reports the errors. It may say null to a valid body, never an instance to an invalid one.
 */
export interface FastValidated {
  acceptIfValid(value: unknown): object | null;
}

const fastPath = (metatype: unknown): FastValidated | null =>
  typeof (metatype as Partial<FastValidated> | undefined)?.acceptIfValid === 'function' ? (metatype as FastValidated) : null;

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
    // class-validator's per-record metadata walk was over a quarter of the node's CPU under ingest
    // (docs/benchmark.md); a valid body of a DTO with a compiled check skips it.
    const fast = metadata.type === 'body' ? fastPath(metadata.metatype) : null;
    if (fast) {
      const accepted = fast.acceptIfValid(value);
      if (accepted) return accepted;
    }
    try {
      return await super.transform(value, metadata);
    } catch (e) {
      if (e instanceof ValidationFailed && metadata.type === 'body') throw new ValidationFailed(e.errors, 'unprocessable');
      throw e;
    }
  }
}
