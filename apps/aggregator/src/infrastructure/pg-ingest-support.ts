import type { EventEnvelope } from '@caravanserai/contracts';
import { envelopeToRow } from '@caravanserai/event-store';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { IncomingMessage } from './batch-ingest.port';

export interface Rejected {
  message: IncomingMessage;
  reason: string;
}

/** Keeps what could not be taken in, with the reason; a message is quarantined once. */
export async function quarantine(client: PoolClient, rejected: Rejected[]): Promise<void> {
  if (rejected.length === 0) return;
  await client.query(
    `INSERT INTO quarantine (topic, kafka_partition, kafka_offset, message_key, payload, reason)
     SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::text[], $5::text[], $6::text[])
     ON CONFLICT (topic, kafka_partition, kafka_offset) DO NOTHING`,
    [
      rejected.map((r) => r.message.topic),
      rejected.map((r) => r.message.partition),
      rejected.map((r) => r.message.offset),
      rejected.map((r) => r.message.key),
      // Kept as text for inspection and replay; a NUL byte cannot be stored in text, so escape it.
      rejected.map((r) => (r.message.value === null ? null : r.message.value.toString('utf8').replaceAll('\0', '\\u0000'))),
      rejected.map((r) => r.reason),
    ],
  );
}

/** Records the next offset of each partition in the batch, in the batch's transaction. */
export async function storeOffsets(client: PoolClient, group: string, messages: IncomingMessage[]): Promise<void> {
  const next = new Map<string, { topic: string; partition: number; offset: bigint }>();
  for (const m of messages) {
    const key = `${m.topic}:${m.partition}`;
    const offset = BigInt(m.offset) + 1n;
    const cur = next.get(key);
    if (!cur || offset > cur.offset) next.set(key, { topic: m.topic, partition: m.partition, offset });
  }
  const list = [...next.values()];
  await client.query(
    `INSERT INTO consumer_offsets (consumer_group, topic, kafka_partition, next_offset, updated_at)
     SELECT $1, t, p, o, now() FROM unnest($2::text[], $3::int[], $4::bigint[]) AS x(t, p, o)
     ON CONFLICT (consumer_group, topic, kafka_partition) DO UPDATE SET
       next_offset = GREATEST(consumer_offsets.next_offset, EXCLUDED.next_offset), updated_at = now()`,
    [group, list.map((l) => l.topic), list.map((l) => l.partition), list.map((l) => l.offset.toString())],
  );
}

/** A valid event and the message it came in. */
export interface Accepted<E extends EventEnvelope = EventEnvelope> {
  event: E;
  message: IncomingMessage;
}

/** The columns of the regional log that an insert writes: the event's row (envelopeToRow) and the
 * message it came in; each with its type in the batch's staging table. */
const LOG_COLUMNS = {
  event_id: 'uuid',
  type: 'text',
  schema_version: 'int',
  provider: 'text',
  stream_id: 'text',
  stream_version: 'int',
  occurred_on: 'date',
  recorded_at: 'timestamptz',
  data: 'jsonb',
  topic: 'text',
  kafka_partition: 'int',
  kafka_offset: 'bigint',
  key_id: 'text',
  signature: 'text',
  proof: 'jsonb',
} as const;
type LogRow = ReturnType<typeof envelopeToRow> & { topic: string; kafka_partition: number; kafka_offset: string };
const COLUMNS = Object.keys(LOG_COLUMNS) as (keyof typeof LOG_COLUMNS)[];
const COLUMN_LIST = COLUMNS.join(', ');

/** The batch's staging table: this connection's own (temporary), made on its first batch, emptied
 * before each. Kept rather than made per transaction (ON COMMIT DROP): no catalog rows written and
 * deleted per batch. Emptied by TRUNCATE, not at commit (ON COMMIT DELETE ROWS): the same whether
 * or not the caller runs a transaction. `n` is the event's place in the batch. */
const STAGE = `CREATE TEMP TABLE IF NOT EXISTS regional_events_batch (n int, ${COLUMNS.map((c) => `${c} ${LOG_COLUMNS[c]}`).join(', ')});
TRUNCATE regional_events_batch`;
const INSERT_STAGED = `INSERT INTO regional_events (${COLUMN_LIST})
  SELECT ${COLUMN_LIST} FROM regional_events_batch ORDER BY n
  ON CONFLICT DO NOTHING
  RETURNING event_id, record_key`;

const COPY_SPECIAL = /[\\\n\r\t]/;
const COPY_SPECIALS = /[\\\n\r\t]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
/** A value as a field of COPY's text format: null as \N, a jsonb column's value as its JSON, and
 * the four characters the format reads in a field (backslash, newline, carriage return, tab)
 * escaped; nothing else has a meaning there. A NUL is sent as it is and refused by PostgreSQL (text
 * cannot hold one), as a \u0000 in JSON is refused by jsonb, on this path as on the one before. */
function copyField(value: unknown, json: boolean): string {
  if (value === null || value === undefined) return '\\N';
  const text = json ? JSON.stringify(value) : String(value);
  return COPY_SPECIAL.test(text) ? text.replace(COPY_SPECIALS, (c) => COPY_ESCAPES[c]) : text;
}
const COPIED = COLUMNS.map((c) => ({ column: c, json: LOG_COLUMNS[c] === 'jsonb' }));

/** The batch in COPY's text format, a line per event (its place in the batch first): one string,
 * each line and the whole joined once (no string grown piece by piece). */
function copyText(valid: Accepted[]): string {
  const lines = new Array<string>(valid.length + 1);
  const fields = new Array<string>(COPIED.length + 1);
  for (let n = 0; n < valid.length; n++) {
    const { event, message } = valid[n];
    const row: LogRow = Object.assign(envelopeToRow(event), { topic: message.topic, kafka_partition: message.partition, kafka_offset: message.offset });
    fields[0] = String(n);
    for (let i = 0; i < COPIED.length; i++) fields[i + 1] = copyField(row[COPIED[i].column], COPIED[i].json);
    lines[n] = fields.join('\t');
  }
  lines[valid.length] = '';
  return lines.join('\n');
}

/** Adds events to the regional log; returns the ids of those it did not hold yet, each with its
 * record key (set by the log's trigger: the cell-key method's secret keyed hash of the event id). An event id
 * already there, or a stream position taken by another event, is left out; the others go in in
 * the batch's order. The batch is copied (COPY, text format) into the connection's staging table,
 * then inserted from there in one statement: a quarter less of the database's CPU per event than
 * one statement reading the batch as a JSON document (jsonb_to_recordset), and a third less of the
 * aggregator's to write it (docs/benchmark.md). In the caller's transaction, if it has one. */
export async function insertEvents(client: PoolClient, valid: Accepted[]): Promise<Map<string, number>> {
  if (valid.length === 0) return new Map();
  await client.query(STAGE);
  await pipeline(Readable.from([copyText(valid)]), client.query(copyFrom(`COPY regional_events_batch (n, ${COLUMN_LIST}) FROM STDIN`)));
  const { rows: inserted } = await client.query<{ event_id: string; record_key: string }>(INSERT_STAGED);
  return new Map(inserted.map((r) => [r.event_id, Number(r.record_key)]));
}

export async function existingEventIds(client: PoolClient, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await client.query<{ event_id: string }>('SELECT event_id FROM regional_events WHERE event_id = ANY($1::uuid[])', [ids]);
  return new Set(rows.map((r) => r.event_id));
}

/** Each provider's latest event and event count, for GET /v1/nodes. */
export async function updateProviderStatus(client: PoolClient, events: EventEnvelope[]): Promise<void> {
  if (events.length === 0) return;
  const latest = new Map<string, { count: number; event: EventEnvelope }>();
  for (const e of events) {
    const cur = latest.get(e.provider);
    if (!cur) latest.set(e.provider, { count: 1, event: e });
    else {
      cur.count += 1;
      if (e.recordedAt >= cur.event.recordedAt) cur.event = e;
    }
  }
  const list = [...latest.values()].sort((a, b) => (a.event.provider < b.event.provider ? -1 : 1));
  await client.query(
    `INSERT INTO provider_status (provider, events, last_event_id, last_recorded_at, last_received_at)
     SELECT p, n, id, at, now() FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::timestamptz[]) AS t(p, n, id, at)
     ON CONFLICT (provider) DO UPDATE SET
       events = provider_status.events + EXCLUDED.events,
       last_event_id = CASE WHEN EXCLUDED.last_recorded_at >= provider_status.last_recorded_at
                            THEN EXCLUDED.last_event_id ELSE provider_status.last_event_id END,
       last_recorded_at = GREATEST(provider_status.last_recorded_at, EXCLUDED.last_recorded_at),
       last_received_at = EXCLUDED.last_received_at`,
    [list.map((l) => l.event.provider), list.map((l) => l.count), list.map((l) => l.event.eventId), list.map((l) => l.event.recordedAt)],
  );
}

/** Reads which providers are pooled, holding a share lock on their rows for the transaction. */
export async function lockPooledProviders(client: PoolClient, providers: string[]): Promise<Set<string>> {
  if (providers.length === 0) return new Set();
  const { rows } = await client.query<{ provider: string; pooled: boolean }>(
    `SELECT provider, pooled_at IS NOT NULL AS pooled FROM provider_pool WHERE provider = ANY($1::text[]) ORDER BY provider FOR SHARE`,
    [providers],
  );
  return new Set(rows.filter((r) => r.pooled).map((r) => r.provider));
}
