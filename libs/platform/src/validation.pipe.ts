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

/** Query DTO classes marked with `@PureQuery()` (see there). */
const pureQueries = new WeakSet<object>();

/**
 * Marks a query DTO whose validation and transformation depend on the query parameters alone (no
 * clock, no state, no I/O): the pipe then checks each distinct set of parameters once and gives
 * later requests a copy of the outcome. A hot endpoint asked the same questions over and over
 * (GET /v1/flows) spent about 7% of its CPU re-running class-transformer and class-validator on
 * identical parameters (the benchmark's query stage, `--profile`). Refusals are not kept: rare, and cheap enough.
 */
export const PureQuery = (): ClassDecorator => (target) => {
  pureQueries.add(target);
};

/** Distinct parameter sets kept per class; past this the memo starts again (a caller sending ever new
 * parameters gains nothing from it and must not grow the heap). */
const PURE_QUERY_MEMO = 1_000;

/** A copy of a kept DTO: its own object and its own arrays (the values are strings or arrays of them),
 * so that a handler changing its DTO changes nobody else's. */
function copyOf(kept: object): object {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(kept) as object) as object, kept) as Record<string, unknown>;
  for (const [k, v] of Object.entries(copy)) if (Array.isArray(v)) copy[k] = [...(v as unknown[])];
  return copy;
}

/**
 * The global pipe: whitelist, reject unknown fields, transform. A bad body is 422 (the request
 * was understood, its content is invalid); bad query or path parameters are 400.
 */
@Injectable()
export class AppValidationPipe extends ValidationPipe {
  /** Per `@PureQuery()` class: the parameters (as JSON) → the DTO they validated to. */
  private readonly validQueries = new WeakMap<object, Map<string, object>>();

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
    const pure = metadata.type === 'query' && metadata.metatype && pureQueries.has(metadata.metatype) ? metadata.metatype : null;
    if (pure) return this.pureQuery(pure, value, metadata);
    try {
      return await super.transform(value, metadata);
    } catch (e) {
      if (e instanceof ValidationFailed && metadata.type === 'body') throw new ValidationFailed(e.errors, 'unprocessable');
      throw e;
    }
  }

  private async pureQuery(metatype: object, value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    let kept = this.validQueries.get(metatype);
    if (!kept) this.validQueries.set(metatype, (kept = new Map()));
    const key = JSON.stringify(value);
    const hit = kept.get(key);
    if (hit) return copyOf(hit);
    const dto = (await super.transform(value, metadata)) as object;
    if (kept.size >= PURE_QUERY_MEMO) kept.clear();
    kept.set(key, copyOf(dto));
    return dto;
  }
}
