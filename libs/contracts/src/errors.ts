/** Errors with a stable code; the HTTP status is chosen by the exception filter from the kind. */
export type ErrorKind = 'bad_request' | 'unauthorized' | 'not_found' | 'conflict' | 'unprocessable' | 'forbidden' | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: ErrorKind,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export interface FieldError {
  index?: number;
  field: string;
  message: string;
}

/** A request whose content failed validation: every problem, by record index and field path. */
export class ValidationFailed extends DomainError {
  constructor(
    readonly errors: FieldError[],
    kind: 'bad_request' | 'unprocessable' = 'unprocessable',
  ) {
    super('VALIDATION.FAILED', summarise(errors, kind), kind);
  }
}

function summarise(errors: FieldError[], kind: ErrorKind): string {
  const shown = errors.slice(0, 3).map((e) => `${e.index === undefined ? '' : `record ${e.index}, `}${e.field}: ${e.message}`);
  const more = errors.length > shown.length ? ` (and ${errors.length - shown.length} more)` : '';
  const outcome = kind === 'unprocessable' ? '; nothing was stored' : '';
  return `${errors.length} validation error(s): ${shown.join('; ')}${more}${outcome}`;
}
