import { agreementStreamId, EventEnvelope } from '@caravanserai/contracts';
import { PgEventStore, rowToEnvelope } from '@caravanserai/event-store';
import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { PG_POOL } from '../../infrastructure/tokens';
import { AgreementState, evolve, initialAgreementState } from '../domain/agreement.decider';

/** The node's agreements are streams `agreement-<id>` in its own event store; nothing else holds
 * them. Read here; written through the command pipeline (AgreementPipeline). */
@Injectable()
export class PgAgreementStreams {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly store: PgEventStore,
  ) {}

  async load(agreementId: string): Promise<{ history: EventEnvelope[]; state: AgreementState }> {
    const history = await this.store.readStream(agreementStreamId(agreementId));
    return { history, state: history.reduce(evolve, initialAgreementState) };
  }

  /** Every agreement stream of this node, each in stream order, oldest grant first. */
  async all(): Promise<EventEnvelope[][]> {
    // The predicate is the partial index's (migrations/1764417600000_agreement-streams.sql).
    const { rows } = await this.pool.query(
      `SELECT event_id, type, schema_version, provider, stream_id, stream_version,
              to_char(occurred_on, 'YYYY-MM-DD') AS occurred_on, recorded_at, data
         FROM events
        WHERE stream_id LIKE 'agreement-%'
        ORDER BY stream_id, stream_version`,
    );
    const streams = new Map<string, EventEnvelope[]>();
    for (const row of rows) {
      const event = rowToEnvelope(row);
      streams.set(event.streamId, [...(streams.get(event.streamId) ?? []), event]);
    }
    return [...streams.values()].sort((a, b) => a[0].recordedAt.localeCompare(b[0].recordedAt) || a[0].eventId.localeCompare(b[0].eventId));
  }
}
