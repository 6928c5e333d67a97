/** The field separators a CSV answer may use: `,` (RFC 4180) or `;`, which a spreadsheet in a
 * Russian (or most continental) locale expects, since its decimal separator is the comma. */
export const CSV_DELIMITERS = { comma: ',', semicolon: ';' } as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[keyof typeof CSV_DELIMITERS];

/** A text a spreadsheet would run as a formula (OWASP "CSV injection"): starting with = + - @, a
 * tab or a carriage return. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field (RFC 4180): empty for null/undefined, quoted when it holds a quote, the
 * delimiter, a line break or a `#` (so that no data line can pass for the `#` comment lines some
 * answers start with). A text that a spreadsheet would take for a formula is prefixed with `'`
 * and quoted, so that it is shown, never run; numbers are written as they are (a negative number
 * is not a formula). */
export function csvCell(value: unknown, delimiter: CsvDelimiter = ','): string {
  let s = String(value ?? '');
  const guarded = typeof value === 'string' && FORMULA_START.test(s);
  if (guarded) s = `'${s}`;
  return guarded || s.includes(delimiter) || /["\n\r#]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
