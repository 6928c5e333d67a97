import { GroupedCalls } from '@caravanserai/platform';
import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { PG_POOL } from '../../infrastructure/tokens';
import { AuditFilter, AuditLog, StoredAuditEntry } from '../domain/audit-log.port';
import type { AuditEntry } from '../domain/audit-entry';

const COLUMNS = `id, at, principal, endpoint, query, purpose, agreements, providers, cells_returned, cells_suppressed, totals_suppressed, excluded`;

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
const rowJson = (e: AuditEntry): string =>
  `{"principal":${JSON.stringify(e.principal ?? null)},"endpoint":${JSON.stringify(e.endpoint ?? null)},"query":${JSON.stringify(e.query ?? null)},` +
  `"purpose":${JSON.stringify(e.purpose ?? null)},"agreements":${Object.isFrozen(e.agreements) ? json(e.agreements) : JSON.stringify(e.agreements)},` +
  `"providers":${Object.isFrozen(e.providers) ? json(e.providers) : JSON.stringify(e.providers)},"cells_returned":${JSON.stringify(e.cellsReturned ?? null)},` +
  `"cells_suppressed":${JSON.stringify(e.cellsSuppressed ?? null)},"totals_suppressed":${JSON.stringify(e.totalsSuppressed ?? null)},` +
  `"excluded":${Object.isFrozen(e.excluded) ? json(e.excluded) : JSON.stringify(e.excluded)}}`;

/**
 * The trail in the aggregator's PostgreSQL (table `audit_log`, whose triggers refuse UPDATE,
 * DELETE and TRUNCATE). Every value travels as a bind parameter.
 *
 * Group commit: while one INSERT is in flight, the entries of the requests answered meanwhile
 * wait and then go together in the next one (one round trip and one commit for all of them, where
 * each request used to pay its own). Each `append` still resolves only once its own row is
 * committed, and fails if its row cannot be written: no record, no answer, as before.
 */
@Injectable()
export class PgAuditLog extends AuditLog {
  private readonly writes = new GroupedCalls<AuditEntry, void>(async (entries) => {
    await this.insert(entries);
    return entries.map(() => undefined);
  });

  constructor(@Inject(PG_POOL) private readonly pool: Pool) {
    super();
  }

  append(entry: AuditEntry): Promise<void> {
    return this.writes.run(entry);
  }

  private async insert(entries: AuditEntry[]): Promise<void> {
    await this.pool.query(
      `INSERT INTO audit_log (principal, endpoint, query, purpose, agreements, providers, cells_returned, cells_suppressed, totals_suppressed, excluded)
       SELECT principal, endpoint, query, purpose, agreements, ARRAY(SELECT jsonb_array_elements_text(providers)), cells_returned, cells_suppressed,
              totals_suppressed, excluded
         FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (principal text, endpoint text, query jsonb, purpose text, agreements jsonb, providers jsonb,
                                                           cells_returned int, cells_suppressed int, totals_suppressed int, excluded jsonb))
              WITH ORDINALITY AS t(principal, endpoint, query, purpose, agreements, providers, cells_returned, cells_suppressed, totals_suppressed,
                                   excluded, n)
        ORDER BY n`,
      [`[${entries.map(rowJson).join(',')}]`],
    );
  }

  async list(f: AuditFilter): Promise<StoredAuditEntry[]> {
    const params: unknown[] = [];
    const p = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const where: string[] = [];
    if (f.scope.kind === 'own') where.push(`principal = ${p(f.scope.principal)}`);
    if (f.scope.kind === 'about') where.push(`providers @> ARRAY[${p(f.scope.state)}]::text[] AND principal <> ${p(f.scope.principal)}`);
    if (f.from) where.push(`at >= ${p(f.from)}::timestamptz`);
    if (f.to) where.push(`at < ${p(f.to)}::timestamptz`);
    if (f.principal) where.push(`principal = ${p(f.principal)}`);
    if (f.provider) where.push(`providers @> ARRAY[${p(f.provider)}]::text[]`);
    if (f.emergency) where.push(`agreements @> jsonb_build_array(jsonb_build_object('emergency', jsonb_build_object('id', ${p(f.emergency)}::text)))`);
    if (f.before) where.push(`id < ${p(f.before)}`);
    const { rows } = await this.pool.query(
      `SELECT ${COLUMNS} FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${p(f.limit)}`,
      params,
    );
    return rows.map((r) => ({
      id: Number(r.id),
      at: (r.at as Date).toISOString(),
      principal: r.principal,
      endpoint: r.endpoint,
      query: r.query,
      purpose: r.purpose,
      agreements: r.agreements,
      providers: r.providers,
      cellsReturned: r.cells_returned,
      cellsSuppressed: r.cells_suppressed,
      totalsSuppressed: r.totals_suppressed,
      excluded: r.excluded,
    }));
  }
}
