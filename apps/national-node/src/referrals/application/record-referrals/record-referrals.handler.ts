import { REFERRAL_MADE, referralStreamId, ValidationFailed } from '@caravanserai/contracts';
import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { NODE_CONFIG, NodeConfig, referralsTopic } from '../../../config/node.config';
import { EventIds } from '../../../infrastructure/event-ids';
import { RecordIntake } from '../../../infrastructure/record-intake';
import { Clock, CLOCK } from '../../../infrastructure/tokens';
import { anonymiseReferral, checkReferral } from '../../domain/anonymise-referral';
import { PgRecordedMovements } from '../../infrastructure/pg-recorded-movements';
import { RecordReferrals, ReferralRecordResult } from './record-referrals.command';

/** `POST /v1/referrals`: the batch is checked as a whole, anonymised in memory, and each new
 * record opens its own referral stream with `ReferralMade`, through the node's idempotent intake. */
@CommandHandler(RecordReferrals)
export class RecordReferralsHandler implements ICommandHandler<RecordReferrals, ReferralRecordResult[]> {
  constructor(
    private readonly movements: PgRecordedMovements,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly ids: EventIds,
    private readonly intake: RecordIntake,
  ) {}

  async execute({ records }: RecordReferrals): Promise<ReferralRecordResult[]> {
    const now = this.clock.now();
    const state = this.config.NODE_STATE;
    const errors = records.flatMap((r, i) => checkReferral(r, i, state, now));
    errors.push(...(await this.unknownMovements(records)));
    if (errors.length > 0) throw new ValidationFailed(errors.sort((a, b) => (a.index ?? 0) - (b.index ?? 0)));

    const recordedAt = now.toISOString();
    const results = await this.intake.take(
      'referral',
      records,
      (raw, digest) => {
        // The same record posted again after a restore gets the ids it had (EventIds); record_ids
        // keeps the referral id: what a client needs to send the lifecycle commands.
        const referralId = this.ids.forRecord('referral', digest);
        const { occurredOn, data } = anonymiseReferral(raw, referralId);
        return {
          answerId: referralId,
          event: {
            eventId: this.ids.forRecord('referral-made', digest),
            type: REFERRAL_MADE,
            schemaVersion: 1,
            provider: state,
            streamId: referralStreamId(referralId),
            streamVersion: 1,
            occurredOn,
            recordedAt,
            data,
          },
        };
      },
      referralsTopic(this.config),
    );
    return results.map(({ id, status }, i) => ({ recordId: records[i].recordId, referralId: id, status }));
  }

  /** A referral may name the movement it follows from; that movement must have been recorded here. */
  private async unknownMovements(records: RecordReferrals['records']) {
    const wanted = [...new Set(records.flatMap((r) => (r.movementEventId ? [r.movementEventId] : [])))];
    if (wanted.length === 0) return [];
    const found = await this.movements.recorded(wanted);
    return records.flatMap((r, index) =>
      r.movementEventId && !found.has(r.movementEventId.toLowerCase())
        ? [{ index, field: 'movementEventId', message: `no movement ${r.movementEventId} was recorded at this node` }]
        : [],
    );
  }
}
