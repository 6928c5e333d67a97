import { agreementSchemaVersion, agreementStreamId, DomainError, EventEnvelope } from '@caravanserai/contracts';
import { OutboxForwarder, PgEventStore, rowToEnvelope } from '@caravanserai/event-store';
import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { agreementsTopic, NODE_CONFIG, NodeConfig } from '../../config/node.config';
import { ID_GENERATOR, IdGenerator, PG_POOL } from '../../infrastructure/tokens';
import { AgreementDecision, AgreementState, evolve, initialAgreementState } from '../domain/agreement.decider';

/** The node's agreements are streams `agreement-<id>` in its own event store; nothing else
 * holds them. Each decision is appended with its outbox row for `agreements.v1`. */
@Injectable()
export class PgAgreementStreams {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(ID_GENERATOR) private readonly newId: IdGenerator,
    private readonly store: PgEventStore,
    private readonly forwarder: OutboxForwarder,
  ) {}

  async load(agreementId: string): Promise<{ history: EventEnvelope[]; state: AgreementState }> {
    const history = await this.store.readStream(agreementStreamId(agreementId));
    return { history, state: history.reduce(evolve, initialAgreementState) };
  }

  /** Appends the decision at the stream version it was decided for; if another decision took
   * that version first, nothing is written and the caller gets a 409. Returns the event id. */
  async record(agreementId: string, decision: AgreementDecision, now: Date): Promise<string> {
    const eventId = this.newId();
    const event: EventEnvelope = {
      eventId,
      type: decision.type,
      // 2 only for an event carrying the emergency term: a state without one stays readable by
      // every deployed aggregator (docs/events.md, "Versioning").
      schemaVersion: agreementSchemaVersion(decision.type, decision.data),
      provider: this.config.NODE_STATE,
      streamId: agreementStreamId(agreementId),
      streamVersion: decision.streamVersion,
      occurredOn: decision.occurredOn,
      recordedAt: now.toISOString(),
      data: decision.data,
    };
    if (!(await this.store.appendAlone(event, agreementsTopic(this.config)))) {
      throw new DomainError(
        'AGREEMENT.CONCURRENT_CHANGE',
        `agreement ${agreementId} was changed by another request at the same time; read it again and retry`,
        'conflict',
      );
    }
    this.forwarder.notify();
    return eventId;
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
