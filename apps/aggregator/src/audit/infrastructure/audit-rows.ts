import type { AuditEntry } from '../domain/audit-entry';

/** JSON of the arrays entries share (answerEntry keeps an answer's agreements, providers and
 * exclusions per answer): a repeated question's row is serialised from them without redoing it. */
const sharedJson = new WeakMap<object, string>();
const json = (value: object): string => {
  let text = sharedJson.get(value);
  if (text === undefined) sharedJson.set(value, (text = JSON.stringify(value)));
  return text;
};
/** An entry's row as `jsonb_to_recordset` below reads it: JSON.stringify of the same object, the
 * shared arrays' JSON reused (they are frozen: answerEntry). */
export const auditRowJson = (e: AuditEntry): string =>
  `{"principal":${JSON.stringify(e.principal ?? null)},"endpoint":${JSON.stringify(e.endpoint ?? null)},"query":${JSON.stringify(e.query ?? null)},` +
  `"purpose":${JSON.stringify(e.purpose ?? null)},"agreements":${Object.isFrozen(e.agreements) ? json(e.agreements) : JSON.stringify(e.agreements)},` +
  `"providers":${Object.isFrozen(e.providers) ? json(e.providers) : JSON.stringify(e.providers)},"cells_returned":${JSON.stringify(e.cellsReturned ?? null)},` +
  `"cells_suppressed":${JSON.stringify(e.cellsSuppressed ?? null)},"totals_suppressed":${JSON.stringify(e.totalsSuppressed ?? null)},` +
  `"excluded":${Object.isFrozen(e.excluded) ? json(e.excluded) : JSON.stringify(e.excluded)}}`;
