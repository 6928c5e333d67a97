import type { MovementRecordedData } from '@caravanserai/contracts';
import type { PoolClient } from 'pg';
import { FACT_FIELDS, FlowDeltas, FlowFact, factOf } from '../domain/flow-deltas';

const COLUMN: Record<(typeof FACT_FIELDS)[number], string> = {
  day: 'day',
  provider: 'provider',
  borderCrossingPoint: 'border_crossing_point',
  direction: 'direction',
  departedFrom: 'departed_from',
  intendedDestination: 'intended_destination',
  citizenship: 'citizenship',
  category: 'category',
  sex: 'sex',
  ageBand: 'age_band',
};
const SQL_TYPE: Record<(typeof FACT_FIELDS)[number], string> = {
  day: 'date',
  provider: 'text',
  borderCrossingPoint: 'text',
  direction: 'text',
  departedFrom: 'text',
  intendedDestination: 'text',
  citizenship: 'text',
  category: 'text',
  sex: 'text',
  ageBand: 'text',
};

const columns = FACT_FIELDS.map((f) => COLUMN[f]);
/** The upsert, and the flows version bumped in the same statement (one round trip). */
const UPSERT = `
  WITH upsert AS (
  INSERT INTO flow_counts (${columns.join(', ')}, count)
  SELECT * FROM unnest(${FACT_FIELDS.map((f, i) => `$${i + 1}::${SQL_TYPE[f]}[]`).join(', ')}, $${FACT_FIELDS.length + 1}::bigint[])
  ON CONFLICT (${columns.join(', ')}) DO UPDATE SET count = flow_counts.count + EXCLUDED.count
  RETURNING 1)
  UPDATE projection_versions SET version = version + 1 WHERE projection = 'flows'`;

/** Moves the flows version on (every change to flow_counts does, in its own transaction). */
export async function bumpFlowsVersion(client: PoolClient): Promise<void> {
  await client.query(`UPDATE projection_versions SET version = version + 1 WHERE projection = 'flows'`);
}

/** Applies a set of deltas with one multi-row upsert, and moves the flows version on. */
export async function applyFlowDeltas(client: PoolClient, deltas: FlowDeltas): Promise<number> {
  const entries = deltas.entries();
  if (entries.length === 0) return 0;
  const params: unknown[][] = FACT_FIELDS.map(() => []);
  const counts: number[] = [];
  for (const { fact, delta } of entries) {
    FACT_FIELDS.forEach((f, i) => params[i].push(fact[f]));
    counts.push(delta);
  }
  await client.query(UPSERT, [...params, counts]);
  return entries.length;
}

/** A movement the regional log already holds, as retractions need it. */
export interface KnownMovement {
  provider: string;
  occurredOn: string;
  data: MovementRecordedData;
}

/** Looks up recorded movements by event id in the regional log. */
export async function findMovements(client: PoolClient, eventIds: string[]): Promise<Map<string, KnownMovement>> {
  const found = new Map<string, KnownMovement>();
  if (eventIds.length === 0) return found;
  const { rows } = await client.query<{ event_id: string; provider: string; occurred_on: string; data: MovementRecordedData }>(
    `SELECT event_id, provider, to_char(occurred_on, 'YYYY-MM-DD') AS occurred_on, data FROM regional_events
      WHERE event_id = ANY($1::uuid[]) AND type = 'MovementRecorded'`,
    [eventIds],
  );
  for (const r of rows) found.set(r.event_id, { provider: r.provider, occurredOn: r.occurred_on, data: r.data });
  return found;
}

export const movementFact = (m: KnownMovement): FlowFact => factOf(m.provider, m.occurredOn, m.data);
