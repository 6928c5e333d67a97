import { canonicalJson } from '@caravanserai/crypto';
import { createHmac } from 'node:crypto';
import type { Pool } from 'pg';

/**
 * The node's event ids, derived rather than drawn, so that doing the same thing again after a
 * restore from backup gives the same ids (docs/operations.md, "Backup and restore"): the national
 * system re-posts what it sent after the dump, the node appends it again under the id it had, and
 * the aggregator, which already holds that id, skips it — nothing counted twice.
 *
 * Each id is HMAC-SHA-256 under the node's own secret (`event_id_secret`, made by its migration,
 * restored with its dump), cut to a UUID of version 8 (RFC 9562, custom). Without the secret an id
 * says nothing of the record id it came from.
 * - a record (movement, referral): of its kind and its recordId's digest;
 * - a later event of a stream (a retraction, a referral's next step): of its stream position, type
 *   and data, so the same decision again is the same event, and a different decision at the same
 *   position after a restore is a different event that the aggregator reports as a conflict.
 */
export class EventIds {
  constructor(private readonly secret: Buffer) {
    if (secret.length < 32) throw new Error('event id secret: at least 32 bytes');
  }

  static async load(pool: Pool): Promise<EventIds> {
    const { rows } = await pool.query<{ secret: Buffer }>('SELECT secret FROM event_id_secret');
    if (rows.length !== 1) throw new Error('event_id_secret is empty: the node database is not migrated');
    return new EventIds(rows[0].secret);
  }

  /** The id of what the record with this recordId digest becomes (`kind`: e.g. `movement`, `referral`). */
  forRecord(kind: string, recordIdDigest: string): string {
    return this.uuid(`record\u0000${kind}\u0000${recordIdDigest}`);
  }

  /** The id of a decision on a stream. */
  forDecision(streamId: string, streamVersion: number, type: string, data: unknown): string {
    return this.uuid(`decision\u0000${streamId}\u0000${streamVersion}\u0000${type}\u0000${canonicalJson(data)}`);
  }

  private uuid(input: string): string {
    const b = createHmac('sha256', this.secret).update(input, 'utf8').digest().subarray(0, 16);
    b[6] = (b[6] & 0x0f) | 0x80; // version 8
    b[8] = (b[8] & 0x3f) | 0x80; // variant 10
    const h = b.toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
}
