import type { EnvelopeVerifier } from '@caravanserai/crypto';
import {
  MOVEMENT_RECORDED,
  MOVEMENT_RETRACTED,
  MOVEMENT_SCHEMAS,
  MOVEMENT_UPCASTERS,
  MessageBody,
  MovementEvent,
  MovementRecordedData,
  newestVersion,
  parseMovementEvent,
  ParseResult,
  Schemas,
  upcastData,
} from '@caravanserai/contracts';
import type { Pool, PoolClient } from 'pg';
import { Checked, IngestPipeline, IngestTopic, Taken } from '../../infrastructure/ingest-pipeline';
import { PoolingRelease } from '../../infrastructure/pooling-release';
import { replayMovements } from './pg-flow-rebuild';
import { FlowDeltas } from '../domain/flow-deltas';
import { applyFlowDeltas, findMovements, KnownMovement, movementFact } from './pg-flow-projection';

const CURRENT_RECORDED = newestVersion(MOVEMENT_SCHEMAS[MOVEMENT_RECORDED]);

/**
 * What is the movements' own in their ingest: a retraction must withdraw a movement the batch or
 * the log holds, of its own provider; each movement recorded is +1 on its cell of `flow_counts`,
 * each retraction −1 on its movement's, summed per cell and applied as one upsert per batch. The
 * movements the batch's retractions withdraw are the plan the check hands to the projection.
 */
export class MovementTopic implements IngestTopic<MovementEvent, Map<string, KnownMovement>> {
  readonly providerData = true;
  readonly oneAtATime = false;

  /** `schemas`: the versions this aggregator reads (AGGREGATOR_MAX_SCHEMA_VERSION may hold it to
   * fewer than the code knows); a newer one waits for an upgrade. */
  constructor(private readonly schemas: Schemas = MOVEMENT_SCHEMAS) {}

  parse(raw: MessageBody): ParseResult<MovementEvent> {
    return parseMovementEvent(raw, this.schemas);
  }

  async check(client: PoolClient, events: MovementEvent[]): Promise<Checked<Map<string, KnownMovement>>> {
    const movements = await this.movementsRetracted(client, events);
    return { refusals: events.map((e) => checkRetraction(e, movements)), plan: movements };
  }

  async project(client: PoolClient, taken: Taken<MovementEvent>[], movements: Map<string, KnownMovement>, recordKeys: Map<string, number>): Promise<void> {
    const deltas = new FlowDeltas();
    const keyed = await withKeys(client, movements, recordKeys);
    for (const { event, recordKey } of taken) addDelta(deltas, event, keyed, recordKey);
    await applyFlowDeltas(client, deltas);
  }

  /** A provider's held movements into the flow projection, when it pools (PoolingRelease). */
  releaseHeld(client: PoolClient, provider: string): Promise<{ events: number }> {
    return replayMovements(client, { provider });
  }

  /** The movements that the batch's retractions withdraw: from the batch itself or the log. */
  private async movementsRetracted(client: PoolClient, events: MovementEvent[]): Promise<Map<string, KnownMovement>> {
    const known = new Map<string, KnownMovement>();
    for (const event of events) {
      // Its record key is the log's, known once the batch is inserted (withKeys).
      if (event.type === MOVEMENT_RECORDED) {
        const data = upcastData<MovementRecordedData>(MOVEMENT_UPCASTERS, event.type, event.schemaVersion, event.data, CURRENT_RECORDED);
        known.set(event.eventId, { provider: event.provider, occurredOn: event.occurredOn, data, recordKey: Number.NaN });
      }
    }
    const missing = events.flatMap((e) => (e.type === MOVEMENT_RETRACTED && !known.has(e.data.movementEventId) ? [e.data.movementEventId] : []));
    for (const [id, m] of await findMovements(client, [...new Set(missing)])) known.set(id, m);
    return known;
  }
}

/**
 * The movements' ingest (`movements.v1`): the ingest pipeline with the movements' topic part. It
 * registers the flow projection for the pooling release.
 */
export class MovementIngest extends IngestPipeline<MovementEvent, Map<string, KnownMovement>> {
  constructor(pool: Pool, consumerGroup: string, verifier: EnvelopeVerifier, pooling: PoolingRelease, schemas: Schemas = MOVEMENT_SCHEMAS) {
    const topic = new MovementTopic(schemas);
    super(topic, pool, consumerGroup, verifier);
    pooling.register('movements', (client, provider) => topic.releaseHeld(client, provider));
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
