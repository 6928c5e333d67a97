/** The audit trail's insert (table audit_log), shared by the trail's own grouped writes (PgAuditLog)
 * and the statements the requests share (RequestRoundTrips). */

/** Audit rows (each one JSON object, audit/infrastructure/audit-rows.ts) as the one document auditInsertSql takes. */
export const auditRowsJson = (rows: string[]): string => `[${rows.join(',')}]`;

/** The INSERT of the rows in the JSON document `param` (a bind parameter, auditRowsJson), in order. */
export const auditInsertSql = (param: string): string =>
  `INSERT INTO audit_log (principal, endpoint, query, purpose, agreements, providers, cells_returned, cells_suppressed, totals_suppressed, excluded)
   SELECT principal, endpoint, query, purpose, agreements, ARRAY(SELECT jsonb_array_elements_text(providers)), cells_returned, cells_suppressed,
          totals_suppressed, excluded
     FROM ROWS FROM (jsonb_to_recordset(${param}::jsonb) AS (principal text, endpoint text, query jsonb, purpose text, agreements jsonb, providers jsonb,
                                                       cells_returned int, cells_suppressed int, totals_suppressed int, excluded jsonb))
          WITH ORDINALITY AS t(principal, endpoint, query, purpose, agreements, providers, cells_returned, cells_suppressed, totals_suppressed,
                               excluded, n)
    ORDER BY n`;
