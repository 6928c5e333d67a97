import { liveKeysSql, type StoredKey, toStoredKey } from '@caravanserai/credentials';
import { GroupedCalls } from '@caravanserai/platform';
import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { REGISTRY_CHANGES } from './registry-changes';
import { PG_POOL } from './tokens';

/** Audit rows (each one JSON object: audit/infrastructure/audit-rows.ts) as the one document auditInsertSql takes. */
const auditRowsJson = (rows: string[]): string => `[${rows.join(',')}]`;

/** The audit trail's INSERT (table audit_log) of the rows in the JSON document `param` (a bind parameter, auditRowsJson), in order. */
const auditInsertSql = (param: string): string =>
  `INSERT INTO audit_log (principal, endpoint, query, purpose, agreements, providers, cells_returned, cells_suppressed, totals_suppressed, excluded)
   SELECT principal, endpoint, query, purpose, agreements, ARRAY(SELECT jsonb_array_elements_text(providers)), cells_returned, cells_suppressed,
          totals_suppressed, excluded
     FROM ROWS FROM (jsonb_to_recordset(${param}::jsonb) AS (principal text, endpoint text, query jsonb, purpose text, agreements jsonb, providers jsonb,
                                                       cells_returned int, cells_suppressed int, totals_suppressed int, excluded jsonb))
          WITH ORDINALITY AS t(principal, endpoint, query, purpose, agreements, providers, cells_returned, cells_suppressed, totals_suppressed,
                               excluded, n)
    ORDER BY n`;

type Trip = { keyId: string } | { auditRow: string };
type KeyFound = { stored: StoredKey | null; alongside: unknown };

/**
 * The two statements every answered request needs, shared by the requests in flight: the look-up
 * of its API key (with the registry's change counter, REGISTRY_CHANGES) before, and the insert of
 * its audit row after. One statement per round carries both — the rows of the requests answered
 * meanwhile (a data-modifying WITH, always run to completion) and the keys of those that arrived —
 * where each kind had its own round trip: half the statements, on a path where PostgreSQL's round
 * trips are most of the aggregator's CPU (docs/benchmark.md).
 *
 * The rules of each are kept (GroupedCalls): a key is looked up by a statement that started after
 * its request arrived, so a revocation or a registry change applies to the very next request; an
 * audit row's `append` resolves only once the statement that wrote it committed, and fails if it
 * could not be written. A failed statement is retried item by item, so a row the database refuses
 * fails only its own request, and no key check with it.
 */
@Injectable()
export class RequestRoundTrips {
  private readonly trips = new GroupedCalls<Trip, KeyFound | undefined>((items) => this.run(items));

  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  lookupKey(keyId: string): Promise<KeyFound> {
    return this.trips.run({ keyId }) as Promise<KeyFound>;
  }

  async append(auditRow: string): Promise<void> {
    await this.trips.run({ auditRow });
  }

  private async run(items: Trip[]): Promise<(KeyFound | undefined)[]> {
    const keyIds = [...new Set(items.flatMap((i) => ('keyId' in i ? [i.keyId] : [])))];
    const rows = items.flatMap((i) => ('auditRow' in i ? [i.auditRow] : []));
    if (keyIds.length === 0) {
      await this.pool.query(auditInsertSql('$1'), [auditRowsJson(rows)]);
      return items.map(() => undefined);
    }
    const { rows: found } = await this.pool.query(
      `${rows.length > 0 ? `WITH audited AS (${auditInsertSql('$2')} RETURNING 1) ` : ''}
       SELECT k.*, p.alongside
         FROM (SELECT ${REGISTRY_CHANGES} AS alongside) p
         LEFT JOIN (${liveKeysSql('$1')}) k ON true`,
      rows.length > 0 ? [keyIds, auditRowsJson(rows)] : [keyIds],
    );
    const alongside = found[0]?.alongside ?? null;
    const keys = new Map(found.filter((r) => r.key_id !== null).map((r) => [r.key_id as string, toStoredKey(r)]));
    return items.map((i) => ('keyId' in i ? { stored: keys.get(i.keyId) ?? null, alongside } : undefined));
  }
}
