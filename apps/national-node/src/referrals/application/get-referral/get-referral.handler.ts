import { referralStreamId } from '@caravanserai/contracts';
import { PgEventStore } from '@caravanserai/event-store';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { allowedCommands, evolve, initialReferralState, ReferralError } from '../../domain/referral.decider';
import { GetReferral, ReferralView } from './get-referral.query';

/** `GET /v1/referrals/{id}`: the state folded from the stream, and the stream itself. */
@QueryHandler(GetReferral)
export class GetReferralHandler implements IQueryHandler<GetReferral, ReferralView> {
  constructor(private readonly store: PgEventStore) {}

  async execute({ referralId }: GetReferral): Promise<ReferralView> {
    const events = await this.store.readStream(referralStreamId(referralId));
    const state = events.reduce(evolve, initialReferralState);
    if (state.status === 'none') throw ReferralError.notFound(referralId);
    return {
      referralId,
      provider: events[0].provider,
      status: state.status,
      version: state.version,
      allowedCommands: allowedCommands(state.status),
      referral: state.made,
      acknowledgedAt: state.acknowledgedAt,
      acceptedAt: state.acceptedAt,
      declined: state.declined,
      closed: state.closed,
      history: events.map(({ eventId, type, streamVersion, occurredOn, recordedAt, data }) => ({ eventId, type, streamVersion, occurredOn, recordedAt, data })),
    };
  }
}
