import { DomainError } from '@caravanserai/contracts';
import { inTransaction } from '@caravanserai/database';
import { signingInput } from '@caravanserai/crypto';
import { Injectable, Inject } from '@nestjs/common';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { FeedSigner } from '../../answers/feed-item';
import { PG_POOL } from '../../infrastructure/tokens';
import type { SecretariatEvent, SecretariatLog, UnsignedSecretariatEvent } from '../../kernel/ports/secretariat-log';

type Db = Pool | PoolClient;

/**
 * The aggregator's own append-only, signed event log (`secretariat_events`). An append names the
 * version it expects the stream to be at; another append that got there first makes it a 409
 * (`SECRETARIAT.CONFLICT`), with nothing written, for the caller to decide again on the new state.
 */
@Injectable()
export class PgSecretariatLog implements SecretariatLog {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly signer: FeedSigner,
  ) {}

  /** Appends `events` (consecutive versions of one or more streams) all or none: in the caller's
   * transaction when given one, else in a transaction of its own. Returns them as stored. */
  async append(events: UnsignedSecretariatEvent[], client?: PoolClient): Promise<SecretariatEvent[]> {
    return client ? this.appendWithin(client, events) : inTransaction(this.pool, (c) => this.appendWithin(c, events));
  }

  private async appendWithin(db: PoolClient, events: UnsignedSecretariatEvent[]): Promise<SecretariatEvent[]> {
    const out: SecretariatEvent[] = [];
    for (const event of events) {
      const unsigned: UnsignedSecretariatEvent = JSON.parse(JSON.stringify(event));
      const value = await this.signer.sign(signingInput(unsigned));
      const { rows } = await db.query(
        `INSERT INTO secretariat_events (stream_id, stream_version, type, data, recorded_by, recorded_at, key_id, signature)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (stream_id, stream_version) DO NOTHING RETURNING seq`,
        [unsigned.streamId, unsigned.streamVersion, unsigned.type, unsigned.data, unsigned.recordedBy, unsigned.recordedAt, this.signer.keyId, value],
      );
      if (rows.length === 0) {
        throw new DomainError(
          'SECRETARIAT.CONFLICT',
          `${unsigned.streamId} was changed meanwhile (version ${unsigned.streamVersion} exists): read it again and retry`,
          'conflict',
          {
            streamId: unsigned.streamId,
          },
        );
      }
      out.push({ ...unsigned, seq: Number(rows[0].seq), signature: { alg: 'Ed25519', keyId: this.signer.keyId, value } });
    }
    return out;
  }

  /** One stream, in version order. */
  async stream(streamId: string, db: Db = this.pool): Promise<SecretariatEvent[]> {
    const { rows } = await db.query(`SELECT * FROM secretariat_events WHERE stream_id = $1 ORDER BY stream_version`, [streamId]);
    return rows.map(eventOf);
  }

  /** Every event of these types, in log order (`seq`), optionally after a position. */
  async ofTypes(types: readonly string[], after = 0, db: Db = this.pool): Promise<SecretariatEvent[]> {
    const { rows } = await db.query(`SELECT * FROM secretariat_events WHERE type = ANY($1::text[]) AND seq > $2 ORDER BY seq`, [types, after]);
    return rows.map(eventOf);
  }
}

function eventOf(r: QueryResultRow): SecretariatEvent {
  return {
    seq: Number(r.seq),
    streamId: r.stream_id,
    streamVersion: r.stream_version,
    type: r.type,
    data: r.data,
    recordedBy: r.recorded_by,
    recordedAt: new Date(r.recorded_at).toISOString(),
    signature: { alg: 'Ed25519', keyId: r.key_id, value: r.signature },
  };
}
