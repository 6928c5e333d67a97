import type { EnvelopeVerifier } from '@caravanserai/crypto';
import {
  MOVEMENT_RECORDED,
  MOVEMENT_RETRACTED,
  MOVEMENT_SCHEMAS,
  MOVEMENT_UPCASTERS,
  MovementEvent,
  MovementRecordedData,
  newestVersion,
  parseMovementEvent,
  ParseResult,
  Schemas,
  upcastData,
} from '@caravanserai/contracts';
import type { Pool, PoolClient } from 'pg';
import { IncomingMessage, IngestResult, TransactionalIngest } from '../../infrastructure/batch-ingest.port';
import {
  Accepted as AcceptedMessage,
  existingEventIds,
  insertEvents,
  lockPooledProviders,
  quarantine,
  Rejected,
  storeOffsets,
  updateProviderStatus,
} from '../../infrastructure/pg-ingest-support';
import { FlowDeltas } from '../domain/flow-deltas';
import { applyFlowDeltas, findMovements, KnownMovement, movementFact } from './pg-flow-projection';

type Accepted = AcceptedMessage<MovementEvent>;

const CURRENT_RECORDED = newestVersion(MOVEMENT_SCHEMAS[MOVEMENT_RECORDED]);

/**
 * Takes one batch of one partition into the regional store, in one transaction: the new events
 * into the regional log (event ids already there are skipped), their deltas into the projections
 * as one upsert, what is not a valid event into the quarantine, and the next offset. Running the
 * same batch twice changes nothing the second time.
 */
export class RegionalIngest extends TransactionalIngest<MovementEvent> {
  constructor(
    pool: Pool,
    protected readonly consumerGroup: string,
    verifier: EnvelopeVerifier,
    /** The versions this aggregator reads (AGGREGATOR_MAX_SCHEMA_VERSION may hold it to fewer
     * than the code knows); a newer one waits for an upgrade. */
    private readonly schemas: Schemas = MOVEMENT_SCHEMAS,
  ) {
    super(pool, verifier);
  }

  protected parse(raw: Buffer | null): ParseResult<MovementEvent> {
    return parseMovementEvent(raw, this.schemas);
  }

  /**
   * The checked batch into the store, inside the caller's transaction (the consumer's own, or the
   * quarantine replay's, so that the replay and the mark on the quarantined message commit
   * together). `recordOffsets: false` leaves the consumer offsets alone, as a replay re-runs a
   * message that was consumed long ago.
   */
  protected async applyWithin(
    client: PoolClient,
    messages: IncomingMessage[],
    checked: ParseResult<MovementEvent>[],
    { recordOffsets }: { recordOffsets: boolean },
  ): Promise<IngestResult & { rejections: Rejected[] }> {
    const accepted: Accepted[] = [];
    const rejected: Rejected[] = [];
    const seen = new Set<string>();
    for (const [i, message] of messages.entries()) {
      const parsed = checked[i];
      if (!parsed.ok) rejected.push({ message, reason: parsed.reason });
      else if (!seen.has(parsed.event.eventId)) {
        seen.add(parsed.event.eventId);
        accepted.push({ event: parsed.event, message });
      }
    }

    {
      const movements = await this.movementsRetracted(client, accepted);
      const valid: Accepted[] = [];
      for (const a of accepted) {
        const problem = checkRetraction(a.event, movements);
        if (problem) rejected.push({ message: a.message, reason: problem });
        else valid.push(a);
      }

      const inserted = await insertEvents(client, valid);
      const fresh = valid.filter((a) => inserted.has(a.event.eventId));
      const notInserted = valid.filter((a) => !inserted.has(a.event.eventId));
      // Not inserted: either the same event again (a duplicate), or another event claiming a stream
      // position that is taken, which is a conflict the operator must see.
      const already = await existingEventIds(client, notInserted.map((a) => a.event.eventId));
      for (const a of notInserted) {
        if (!already.has(a.event.eventId)) {
          rejected.push({ message: a.message, reason: `stream position ${a.event.streamId}@${a.event.streamVersion} is taken by another event` });
        }
      }

      // Events of a provider that has not pooled its data yet are kept in the log, not projected;
      // they are projected when its first agreement arrives (see AgreementIngest).
      const pooled = await lockPooledProviders(client, [...new Set(fresh.map((a) => a.event.provider))]);
      const deltas = new FlowDeltas();
      const keyed = await withKeys(client, movements, inserted);
      for (const { event } of fresh) if (pooled.has(event.provider)) addDelta(deltas, event, keyed, inserted.get(event.eventId)!);
      await applyFlowDeltas(client, deltas);
      await quarantine(client, rejected);
      await updateProviderStatus(client, fresh.map((a) => a.event));
      if (recordOffsets) await storeOffsets(client, this.consumerGroup, messages);
      return {
        received: messages.length,
        applied: fresh.length,
        duplicates: already.size,
        quarantined: rejected.length,
        rejections: rejected,
      };
    }
  }

  /** The movements that the batch's retractions withdraw: from the batch itself or the log. */
  private async movementsRetracted(client: PoolClient, accepted: Accepted[]): Promise<Map<string, KnownMovement>> {
    const known = new Map<string, KnownMovement>();
    for (const { event } of accepted) {
      // Its record key is the log's, known once the batch is inserted (withKeys).
      if (event.type === MOVEMENT_RECORDED) {
        const data = upcastData<MovementRecordedData>(MOVEMENT_UPCASTERS, event.type, event.schemaVersion, event.data, CURRENT_RECORDED);
        known.set(event.eventId, { provider: event.provider, occurredOn: event.occurredOn, data, recordKey: Number.NaN });
      }
    }
    const missing = accepted
      .filter((a) => a.event.type === MOVEMENT_RETRACTED && !known.has(a.event.data.movementEventId))
      .map((a) => (a.event as Extract<MovementEvent, { type: 'MovementRetracted' }>).data.movementEventId);
    for (const [id, m] of await findMovements(client, [...new Set(missing)])) known.set(id, m);
    return known;
  }
}

/** The retracted movements with their record keys: those of the batch from what the insert
 * returned, or from the log when the batch carried a movement the log already held. */
async function withKeys(client: PoolClient, movements: Map<string, KnownMovement>, inserted: Map<string, number>): Promise<Map<string, KnownMovement>> {
  const unknown = [...movements.entries()].filter(([id, m]) => Number.isNaN(m.recordKey) && !inserted.has(id)).map(([id]) => id);
  const logged = unknown.length === 0 ? new Map<string, KnownMovement>() : await findMovements(client, unknown);
  return new Map(
    [...movements.entries()].map(([id, m]) => [id, Number.isNaN(m.recordKey) ? { ...m, recordKey: inserted.get(id) ?? logged.get(id)?.recordKey ?? 0 } : m]),
  );
}

/** The event's change to the projection; `recordKey` is the key the log gave this event, and a
 * retraction takes back out the key of the movement it withdraws. */
export function addDelta(deltas: FlowDeltas, event: MovementEvent, movements: Map<string, KnownMovement>, recordKey: number): void {
  if (event.type === MOVEMENT_RECORDED) {
    // The log keeps the data as published; what is counted is the current shape (upcast on read).
    const data = upcastData<MovementRecordedData>(MOVEMENT_UPCASTERS, event.type, event.schemaVersion, event.data, CURRENT_RECORDED);
    deltas.add(movementFact({ provider: event.provider, occurredOn: event.occurredOn, data, recordKey }), 1, recordKey);
  } else {
    const target = movements.get(event.data.movementEventId);
    if (target) deltas.add(movementFact(target), -1, target.recordKey);
  }
}

function checkRetraction(event: MovementEvent, movements: Map<string, KnownMovement>): string | null {
  if (event.type !== MOVEMENT_RETRACTED) return null;
  const target = movements.get(event.data.movementEventId);
  if (!target) return `retraction of unknown movement ${event.data.movementEventId}`;
  if (target.provider !== event.provider) return `retraction by ${event.provider} of a movement recorded by ${target.provider}`;
  return null;
}
