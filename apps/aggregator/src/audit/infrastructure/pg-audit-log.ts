import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { PG_POOL } from '../../infrastructure/tokens';
import { AuditFilter, AuditLog, StoredAuditEntry } from '../application/audit-log.port';
import type { AuditEntry } from '../domain/audit-entry';

const COLUMNS = `id, at, principal, endpoint, query, purpose, agreements, providers, cells_returned, cells_suppressed, totals_suppressed, excluded`;

/** The trail in the aggregator's PostgreSQL (table `audit_log`, whose triggers refuse UPDATE,
 * DELETE and TRUNCATE). Every value travels as a bind parameter. */
@Injectable()
export class PgAuditLog extends AuditLog {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {
    super();
  }

  async append(e: AuditEntry): Promise<void> {
    await this.pool.query(
      `INSERT INTO audit_log (principal, endpoint, query, purpose, agreements, providers, cells_returned, cells_suppressed, totals_suppressed, excluded)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [e.principal, e.endpoint, JSON.stringify(e.query), e.purpose, JSON.stringify(e.agreements), e.providers, e.cellsReturned, e.cellsSuppressed, e.totalsSuppressed, JSON.stringify(e.excluded)],
    );
  }

  async list(f: AuditFilter): Promise<StoredAuditEntry[]> {
    const params: unknown[] = [];
    const p = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const where: string[] = [];
    if (f.scope.kind === 'state') where.push(`(providers @> ARRAY[${p(f.scope.state)}]::text[] OR principal = ${p(f.scope.principal)})`);
    if (f.from) where.push(`at >= ${p(f.from)}::timestamptz`);
    if (f.to) where.push(`at < ${p(f.to)}::timestamptz`);
    if (f.principal) where.push(`principal = ${p(f.principal)}`);
    if (f.provider) where.push(`providers @> ARRAY[${p(f.provider)}]::text[]`);
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
