import { EventEnvelope, MOVEMENT_RECORDED, REFERRAL_MADE, referralStreamId, ValidationFailed } from '@caravanserai/contracts';
import { inTransaction } from '@caravanserai/database';
import { claimRecordIds, OutboxForwarder, PgEventStore, recordIdDigest } from '@caravanserai/event-store';
import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Pool } from 'pg';
import { NODE_CONFIG, NodeConfig, referralsTopic } from '../../../config/node.config';
import { EventIds } from '../../../infrastructure/event-ids';
import { Clock, CLOCK, PG_POOL } from '../../../infrastructure/tokens';
import { anonymiseReferral, checkReferral } from '../../domain/anonymise-referral';
import { RecordReferrals, ReferralRecordResult } from './record-referrals.command';


/** `POST /v1/referrals`: the batch is checked as a whole, anonymised in memory, and each new
 * record opens its own referral stream with `ReferralMade`. Idempotent by recordId, as movements. */
@CommandHandler(RecordReferrals)
export class RecordReferralsHandler implements ICommandHandler<RecordReferrals, ReferralRecordResult[]> {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly ids: EventIds,
    private readonly store: PgEventStore,
    private readonly forwarder: OutboxForwarder,
  ) {}

  async execute({ records }: RecordReferrals): Promise<ReferralRecordResult[]> {
    const now = this.clock.now();
    const state = this.config.NODE_STATE;
    const errors = records.flatMap((r, i) => checkReferral(r, i, state, now));
    errors.push(...(await this.unknownMovements(records)));
    if (errors.length > 0) throw new ValidationFailed(errors.sort((a, b) => (a.index ?? 0) - (b.index ?? 0)));

    // Anonymise everything first: from here on, only anonymised data is handled.
    const recordedAt = now.toISOString();
    const digests = records.map((r) => recordIdDigest(r.recordId));
    const candidates = new Map<string, EventEnvelope>();
    records.forEach((raw, i) => {
      if (candidates.has(digests[i])) return; // the same recordId twice in one batch: the first wins
      // The same record posted again after a restore gets the ids it had (EventIds).
      const referralId = this.ids.forRecord('referral', digests[i]);
      const { occurredOn, data } = anonymiseReferral(raw, referralId);
      candidates.set(digests[i], {
        eventId: this.ids.forRecord('referral-made', digests[i]),
        type: REFERRAL_MADE,
        schemaVersion: 1,
        provider: state,
        streamId: referralStreamId(referralId),
        streamVersion: 1,
        occurredOn,
        recordedAt,
        data,
      });
    });

    const outcome = await inTransaction(this.pool, async (client) => {
      // record_ids.event_id holds the referral id: what a client needs to send the lifecycle commands.
      const keys = [...candidates.keys()];
      const claim = await claimRecordIds(client, 'referral', new Map(keys.map((k) => [k, (candidates.get(k)!.data as { referralId: string }).referralId])));
      await this.store.append(
        client,
        keys.filter((k) => claim.fresh.has(k)).map((k) => candidates.get(k)!),
        referralsTopic(this.config),
      );
      return claim;
    });
    this.forwarder.notify();

    const reported = new Set<string>();
    return records.map((r, i) => {
      const d = digests[i];
      const firstTime = outcome.fresh.has(d) && !reported.has(d);
      reported.add(d);
      const referralId = outcome.fresh.has(d) ? (candidates.get(d)!.data as { referralId: string }).referralId : outcome.known.get(d)!;
      return { recordId: r.recordId, referralId, status: firstTime ? 'accepted' : 'duplicate' };
    });
  }

  /** A referral may name the movement it follows from; that movement must have been recorded here. */
  private async unknownMovements(records: RecordReferrals['records']) {
    const wanted = [...new Set(records.flatMap((r) => (r.movementEventId ? [r.movementEventId] : [])))];
    if (wanted.length === 0) return [];
    const { rows } = await this.pool.query<{ event_id: string }>(
      `SELECT event_id FROM events WHERE event_id = ANY($1::uuid[]) AND type = $2`,
      [wanted, MOVEMENT_RECORDED],
    );
    const found = new Set(rows.map((r) => r.event_id));
    return records.flatMap((r, index) =>
      r.movementEventId && !found.has(r.movementEventId.toLowerCase())
        ? [{ index, field: 'movementEventId', message: `no movement ${r.movementEventId} was recorded at this node` }]
        : [],
    );
  }
}
