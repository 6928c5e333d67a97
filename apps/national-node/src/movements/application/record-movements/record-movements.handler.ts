import { EventEnvelope, MOVEMENT_RECORDED, movementStreamId, ValidationFailed } from '@caravanserai/contracts';
import { inTransaction } from '@caravanserai/database';
import { claimRecordIds, OutboxForwarder, PgEventStore, recordIdDigest } from '@caravanserai/event-store';
import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Pool } from 'pg';
import { movementsTopic, NODE_CONFIG, NodeConfig } from '../../../config/node.config';
import { EventIds } from '../../../infrastructure/event-ids';
import { Clock, CLOCK, PG_POOL } from '../../../infrastructure/tokens';
import { anonymiseMovement, checkMovement } from '../../domain/anonymise';
import { RecordMovements, RecordResult } from './record-movements.command';


@CommandHandler(RecordMovements)
export class RecordMovementsHandler implements ICommandHandler<RecordMovements, RecordResult[]> {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly ids: EventIds,
    private readonly store: PgEventStore,
    private readonly forwarder: OutboxForwarder,
  ) {}

  async execute({ records }: RecordMovements): Promise<RecordResult[]> {
    const now = this.clock.now();
    const state = this.config.NODE_STATE;
    const errors = records.flatMap((r, i) => checkMovement(r, i, state, now));
    if (errors.length > 0) throw new ValidationFailed(errors);

    // Anonymise everything first: from here on, only anonymised data is handled.
    const recordedAt = now.toISOString();
    const digests = records.map((r) => recordIdDigest(r.recordId));
    const candidates = new Map<string, EventEnvelope>();
    records.forEach((raw, i) => {
      if (candidates.has(digests[i])) return; // the same recordId twice in one batch: the first wins
      const { occurredOn, data } = anonymiseMovement(raw);
      // The same record posted again after a restore gets the id it had (EventIds).
      const eventId = this.ids.forRecord('movement', digests[i]);
      candidates.set(digests[i], {
        eventId,
        type: MOVEMENT_RECORDED,
        schemaVersion: 1,
        provider: state,
        streamId: movementStreamId(eventId),
        streamVersion: 1,
        occurredOn,
        recordedAt,
        data,
      });
    });

    const eventIdByDigest = await inTransaction(this.pool, async (client) => {
      const keys = [...candidates.keys()];
      const claim = await claimRecordIds(client, 'movement', new Map(keys.map((k) => [k, candidates.get(k)!.eventId])));
      await this.store.append(
        client,
        keys.filter((k) => claim.fresh.has(k)).map((k) => candidates.get(k)!),
        movementsTopic(this.config),
      );
      return claim;
    });
    this.forwarder.notify();

    const reported = new Set<string>();
    return records.map((r, i) => {
      const d = digests[i];
      const firstTime = eventIdByDigest.fresh.has(d) && !reported.has(d);
      reported.add(d);
      const eventId = eventIdByDigest.fresh.has(d) ? candidates.get(d)!.eventId : eventIdByDigest.known.get(d)!;
      return { recordId: r.recordId, eventId, status: firstTime ? 'accepted' : 'duplicate' };
    });
  }
}
