import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { RequestRoundTrips } from '../../infrastructure/request-round-trips';
import { PG_POOL } from '../../infrastructure/tokens';
import { AuditFilter, AuditLog, StoredAuditEntry } from '../domain/audit-log.port';
import type { AuditEntry } from '../domain/audit-entry';
import { auditRowJson } from './audit-rows';

const COLUMNS = `id, at, principal, endpoint, query, purpose, agreements, providers, cells_returned, cells_suppressed, totals_suppressed, excluded`;

/**
 * The trail in the aggregator's PostgreSQL (table `audit_log`, whose triggers refuse UPDATE,
 * DELETE and TRUNCATE). Every value travels as a bind parameter.
 *
 * Group commit: the rows of the requests answered while one statement is in flight go together
 * in the next one, with the key look-ups of the requests that arrived (RequestRoundTrips: one round
 * trip and one commit for all of them, where each request used to pay its own). Each `append`
 * still resolves only once its own row is committed, and fails if its row cannot be written: no
 * record, no answer.
 */
@Injectable()
export class PgAuditLog extends AuditLog {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly trips: RequestRoundTrips,
  ) {
    super();
  }

  append(entry: AuditEntry): Promise<void> {
    return this.trips.append(auditRowJson(entry));
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
