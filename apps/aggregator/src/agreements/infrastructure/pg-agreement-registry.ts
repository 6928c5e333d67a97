import { withDataPeriod } from '@caravanserai/contracts';
import { GroupedCalls } from '@caravanserai/platform';
import { Inject, Injectable } from '@nestjs/common';
import { Pool, QueryResultRow } from 'pg';
import type { AgreementParties, AgreementPartiesSource } from '../../kernel/ports/agreement-parties';
import type { AgreementRecord, AgreementRegistry } from '../../kernel/ports/agreement-registry';
import { REGISTRY_CHANGES } from '../../infrastructure/registry-changes';
import { PG_POOL } from '../../infrastructure/tokens';
import type { Grant } from '../../disclosure/domain/policy';
import type { ReleaseRef as Release } from '../../disclosure/domain/disclosure-report';

export type { AgreementRecord };

const GRANT_COLUMNS = 'a.agreement_id, a.provider, a.recipient, a.terms, a.status, a.registry_position, a.granted_at';

// The terms as stored (jsonb, what the events said), the data period spelt out: a grant published
// before dataFrom/dataUntil existed has neither, and covers every day (null).
const toGrant = (r: QueryResultRow): Grant => ({
  ...withDataPeriod(r.terms),
  agreementId: r.agreement_id,
  provider: r.provider,
  recipient: r.recipient,
  status: r.status,
  version: Number(r.registry_position),
  grantedAt: new Date(r.granted_at).toISOString(),
});

/** The agreement registry as the aggregator built it from agreements.v1. Read at every query,
 * so that a revocation or an expiry applies to the very next one. */
@Injectable()
export class PgAgreementRegistry implements AgreementRegistry, AgreementPartiesSource {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Who is party to each agreement, for the audit trail's own-entries view. */
  async parties(): Promise<Map<string, AgreementParties>> {
    return new Map((await this.grants()).map((g) => [g.agreementId, { provider: g.provider, recipient: g.recipient }]));
  }

  async grants(): Promise<Grant[]> {
    const { rows } = await this.pool.query(`SELECT ${GRANT_COLUMNS} FROM agreements a ORDER BY a.registry_position`);
    return rows.map(toGrant);
  }

  /**
   * The grants and the latest release (see the releases table), read in one round trip: an answer
   * needs both before anything else, at every request. Concurrent requests share one read
   * (GroupedCalls: each from a read that started after it asked, so a revocation or a new release
   * applies to the very next request); the grants are frozen, as they are shared. A read that finds
   * exactly what the previous one found returns the previous object, so that what callers derive
   * from it (QueryFlowsHandler's plans) can be kept by it until the registry or the release changes.
   *
   * `seen`: the change counter (REGISTRY_CHANGES) as a read made after the caller's request arrived
   * found it (the request's key lookup, readWithKeyOf). When the last read was made at that same
   * count, nothing has changed since it (every change moves the counter, in the changing
   * transaction), so it is returned as it is, with no round trip; otherwise the grants are read.
   */
  grantsWithRelease(seen?: unknown): Promise<{ grants: readonly Grant[]; release: Release | null }> {
    if (seen !== undefined && this.lastRead !== null && this.lastRead.changes === String(seen)) return Promise.resolve(this.lastRead.read);
    return this.releaseReads.run(null);
  }

  private lastRead: { rows: string; changes: string | null; read: { grants: readonly Grant[]; release: Release | null } } | null = null;

  private readonly releaseReads = new GroupedCalls<null, { grants: readonly Grant[]; release: Release | null }>(async (callers) => {
    const { rows } = await this.pool.query(
      `SELECT ${REGISTRY_CHANGES} AS registry_changes, r.release_id, r.cut_at, to_char(r.data_until, 'YYYY-MM-DD') AS data_until, ${GRANT_COLUMNS}
         FROM (SELECT NULL) one
         LEFT JOIN (SELECT * FROM releases ORDER BY release_id DESC LIMIT 1) r ON true
         LEFT JOIN agreements a ON true
        ORDER BY a.registry_position`,
    );
    // The counter, read in the same statement (one snapshot) as the rows it counts the changes of.
    const changes = rows[0]?.registry_changes == null ? null : String(rows[0].registry_changes);
    // Every column read, as text: equal text, equal grants and release.
    const text = JSON.stringify(rows.map(({ registry_changes: _, ...r }) => r));
    if (this.lastRead?.rows === text) {
      this.lastRead.changes = changes;
      return callers.map(() => this.lastRead!.read);
    }
    const first = rows[0];
    const read = Object.freeze({
      grants: Object.freeze(rows.filter((r) => r.agreement_id !== null).map((r) => Object.freeze(toGrant(r)))),
      release:
        first?.release_id == null
          ? null
          : Object.freeze({ id: Number(first.release_id), cutAt: new Date(first.cut_at).toISOString(), dataUntil: first.data_until }),
    });
    this.lastRead = { rows: text, changes, read };
    return callers.map(() => read);
  });

  /** Agreements with their history of events, for those of `providers` or naming `recipients`. */
  async list(filter: { providers?: string[]; recipients?: string[] } | 'all'): Promise<AgreementRecord[]> {
    const params: unknown[] = [];
    let where = '';
    if (filter !== 'all') {
      params.push(filter.providers ?? [], filter.recipients ?? []);
      where = 'WHERE a.provider = ANY($1::text[]) OR a.recipient = ANY($2::text[])';
    }
    const { rows } = await this.pool.query(
      `SELECT a.*, coalesce(json_agg(json_build_object('eventId', e.event_id, 'type', e.type, 'version', e.stream_version,
                'recordedAt', e.recorded_at, 'data', e.data) ORDER BY e.stream_version) FILTER (WHERE e.event_id IS NOT NULL), '[]') AS history
         FROM agreements a LEFT JOIN regional_events e ON e.stream_id = 'agreement-' || a.agreement_id
         ${where}
        GROUP BY a.agreement_id ORDER BY a.registry_position`,
      params,
    );
    return rows.map((r) => ({
      ...withDataPeriod(r.terms),
      agreementId: r.agreement_id,
      provider: r.provider,
      recipient: r.recipient,
      status: r.status,
      version: r.version,
      grantedAt: new Date(r.granted_at).toISOString(),
      updatedAt: new Date(r.updated_at).toISOString(),
      revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
      revocationReason: r.revocation_reason,
      history: r.history,
    }));
  }
}
