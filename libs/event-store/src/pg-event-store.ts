import type { EventEnvelope } from '@caravanserai/contracts';
import type { EnvelopeSigner } from '@caravanserai/crypto';
import { inTransaction } from '@caravanserai/database';
import { Pool, PoolClient } from 'pg';

/** Raised when an append finds the stream at another version than expected. */
export class ConcurrencyError extends Error {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
  ) {
    super(`stream ${streamId} is no longer at version ${expectedVersion}`);
    this.name = 'ConcurrencyError';
  }
}

const UNIQUE_VIOLATION = '23505';

interface EventRow {
  event_id: string;
  type: string;
  schema_version: number;
  provider: string;
  stream_id: string;
  stream_version: number;
  occurred_on: string;
  recorded_at: Date;
  data: unknown;
  key_id?: string | null;
  signature?: string | null;
  /** Signature version 2: the signed root of the append and the event's inclusion proof. */
  proof?: { batch: NonNullable<EventEnvelope['batch']>; proof: NonNullable<EventEnvelope['proof']> } | null;
}

/** The columns of an event row (the node's `events`, the aggregator's `regional_events`), as the
 * JSON document the batch inserts read with jsonb_to_recordset: `data` embedded as it is. */
export function envelopeToRow(e: EventEnvelope) {
  return {
    event_id: e.eventId,
    type: e.type,
    schema_version: e.schemaVersion,
    provider: e.provider,
    stream_id: e.streamId,
    stream_version: e.streamVersion,
    occurred_on: e.occurredOn,
    recorded_at: e.recordedAt,
    data: e.data,
    key_id: e.keyId ?? null,
    signature: e.signature ?? null,
    proof: e.batch && e.proof ? { batch: e.batch, proof: e.proof } : null,
  };
}

/** The envelope as it is published; `keyId` and `signature` (version 1) or `keyId`, `batch` and
 * `proof` (version 2) only when the row has them. */
export function rowToEnvelope(row: EventRow): EventEnvelope {
  const envelope: EventEnvelope = {
    eventId: row.event_id,
    type: row.type,
    schemaVersion: row.schema_version,
    provider: row.provider,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    occurredOn: row.occurred_on,
    recordedAt: row.recorded_at.toISOString(),
    data: row.data,
  };
  if (row.key_id && row.signature) Object.assign(envelope, { keyId: row.key_id, signature: row.signature });
  else if (row.key_id && row.proof) Object.assign(envelope, { keyId: row.key_id, batch: row.proof.batch, proof: row.proof.proof });
  return envelope;
}

/**
 * The node's event store (schema in apps/national-node/migrations). Every append writes the
 * events and their outbox rows in the caller's transaction, so an event is published if and
 * only if it is stored. Each event is signed as it is appended and stored with its signature
 * (docs/signing.md): what is published is exactly what was signed.
 */
export class PgEventStore {
  /** `batchSignedTopics`: the topics whose events are published as version 2, one signature over
   * the Merkle root of each append (NODE_SIGNATURE_VERSION=2: the movements topic); the others are
   * signed one by one. */
  constructor(
    private readonly pool: Pool,
    private readonly signer: EnvelopeSigner,
    private readonly batchSignedTopics: ReadonlySet<string> = new Set(),
  ) {}

  /** Appends events that each open or continue a stream at the `streamVersion` they carry.
   * One multi-row insert; a taken stream position becomes a ConcurrencyError. */
  async append(client: PoolClient, events: EventEnvelope[], topic: string): Promise<void> {
    if (events.length === 0) return;
    const { streamId, streamVersion } = events[0];
    const document = await this.signedDocument(events, topic);
    try {
      await client.query(
        `WITH inserted AS (
           INSERT INTO events (event_id, type, schema_version, provider, stream_id, stream_version, occurred_on, recorded_at, data, key_id, signature, proof)
           SELECT "eventId", type, "schemaVersion", provider, "streamId", "streamVersion", "occurredOn", "recordedAt", data, "keyId", signature,
                  CASE WHEN batch IS NOT NULL AND proof IS NOT NULL THEN jsonb_build_object('batch', batch, 'proof', proof) END
             FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS ("eventId" uuid, type text, "schemaVersion" int, provider text, "streamId" text,
                                                                "streamVersion" int, "occurredOn" date, "recordedAt" timestamptz, data jsonb,
                                                                "keyId" text, signature text, batch jsonb, proof jsonb))
                  WITH ORDINALITY AS t("eventId", type, "schemaVersion", provider, "streamId", "streamVersion", "occurredOn", "recordedAt", data,
                                       "keyId", signature, batch, proof, n)
            ORDER BY n
           RETURNING global_position, stream_id
         )
         INSERT INTO outbox (global_position, topic, message_key)
         SELECT global_position, $2, stream_id FROM inserted ORDER BY global_position`,
        [document, topic],
      );
    } catch (e) {
      if ((e as { code?: string }).code === UNIQUE_VIOLATION && (e as { constraint?: string }).constraint === 'events_stream_id_stream_version_key') {
        throw new ConcurrencyError(streamId, streamVersion - 1);
      }
      throw e;
    }
  }

  /**
   * The events signed, as one JSON document for the batch, read by jsonb_to_recordset: one native
   * JSON.stringify here and one parse in PostgreSQL, instead of nine array literals escaped
   * element by element by the driver (measured in docs/benchmark.md). The signed envelopes
   * themselves are the document's rows (the insert names their members; `proof` is built from
   * `batch` and `proof` there, as envelopeToRow would), so each event is copied once, to sign it,
   * and nothing of the batch but the text outlives this call. Signed in the form the outbox will
   * read back (a timestamptz comes back as toISOString); the Ed25519 work on libuv's thread pool.
   */
  private async signedDocument(events: EventEnvelope[], topic: string): Promise<string> {
    let given = '';
    let asRead = '';
    const readBack = (recordedAt: string) => {
      // A batch's events share one recordedAt: converted once.
      if (recordedAt !== given) [given, asRead] = [recordedAt, new Date(recordedAt).toISOString()];
      return asRead;
    };
    const unsigned = this.batchSignedTopics.has(topic)
      ? events.map((e) => ({ ...e, recordedAt: readBack(e.recordedAt), schemaVersion: 2 }))
      : events.map((e) => ({ ...e, recordedAt: readBack(e.recordedAt) }));
    const signed: EventEnvelope[] = this.batchSignedTopics.has(topic) ? await this.signer.signBatch(unsigned) : await this.signer.signAll(unsigned);
    return JSON.stringify(signed);
  }

  /**
   * Appends one event in a transaction of its own: true once stored with its outbox row; false,
   * with nothing written, when its stream position was taken meanwhile (ConcurrencyError), for the
   * caller to read the stream again or report the conflict.
   */
  async appendAlone(event: EventEnvelope, topic: string): Promise<boolean> {
    try {
      await inTransaction(this.pool, (client) => this.append(client, [event], topic));
      return true;
    } catch (e) {
      if (e instanceof ConcurrencyError) return false;
      throw e;
    }
  }

  async readStream(streamId: string, client: Pool | PoolClient = this.pool): Promise<EventEnvelope[]> {
    const { rows } = await client.query<EventRow>(
      `SELECT event_id, type, schema_version, provider, stream_id, stream_version, to_char(occurred_on, 'YYYY-MM-DD') AS occurred_on, recorded_at, data
         FROM events WHERE stream_id = $1 ORDER BY stream_version`,
      [streamId],
    );
    return rows.map(rowToEnvelope);
  }
}
