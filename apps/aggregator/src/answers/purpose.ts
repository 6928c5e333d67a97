import { ValidationFailed } from '@caravanserai/contracts';

export const PURPOSE_HEADER = 'x-caravanserai-purpose';
export const PURPOSE_MAX_LENGTH = 500;
/** Free text, but printable: no control characters (NUL cannot even be stored in PostgreSQL text). */
export const PURPOSE_PATTERN = /^[^\p{Cc}]+$/u;

/**
 * The purpose a caller declared, from the `X-Caravanserai-Purpose` header or the `purpose` query
 * parameter (either; both only when they agree), trimmed; null when none was given.
 */
export function declaredPurpose(header: unknown, param: unknown): string | null {
  const check = (value: unknown, field: string): string | null => {
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string' || !PURPOSE_PATTERN.test(value) || value.trim().length > PURPOSE_MAX_LENGTH) {
      throw new ValidationFailed([{ field, message: `${field} must be printable text of at most ${PURPOSE_MAX_LENGTH} characters` }], 'bad_request');
    }
    return value.trim() || null;
  };
  const fromHeader = check(header, PURPOSE_HEADER);
  const fromParam = check(param, 'purpose');
  if (fromHeader && fromParam && fromHeader !== fromParam) {
    throw new ValidationFailed([{ field: 'purpose', message: `purpose and ${PURPOSE_HEADER} differ; give one` }], 'bad_request');
  }
  return fromHeader ?? fromParam;
}
