/** One CSV field (RFC 4180): empty for null/undefined, quoted when it holds a quote, a comma, a
 * line break or a `#` (so that no data line can pass for the `#` comment lines some answers start
 * with). */
export function csvCell(value: unknown): string {
  const s = String(value ?? '');
  return /[",\n\r#]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
