import { Transform } from 'class-transformer';
import { IsISO8601, Matches } from 'class-validator';

/** `a,b,c` in a query string as `['a', 'b', 'c']`. */
export const CommaList = () =>
  Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : value,
  );

/** A real calendar day written YYYY-MM-DD (2026-02-30 is refused). */
export const IsDay =
  (name: string): PropertyDecorator =>
  (target, key) => {
    Matches(/^\d{4}-\d{2}-\d{2}$/, { message: `${name} must be a date YYYY-MM-DD` })(target, key);
    IsISO8601({ strict: true }, { message: `${name} must be a real date` })(target, key);
  };
