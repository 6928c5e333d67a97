import { MOVEMENT_RECORDED } from '@caravanserai/contracts';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '../../infrastructure/tokens';

/** The movements this node has recorded, as a referral naming one needs them. */
@Injectable()
export class PgRecordedMovements {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Which of these event ids are movements recorded in this node's event store (lower case). */
  async recorded(eventIds: string[]): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ event_id: string }>(`SELECT event_id FROM events WHERE event_id = ANY($1::uuid[]) AND type = $2`, [
      eventIds,
      MOVEMENT_RECORDED,
    ]);
    return new Set(rows.map((r) => r.event_id));
  }
}
