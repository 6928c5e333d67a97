import { MOVEMENT_RECORDED, movementStreamId, ValidationFailed } from '@caravanserai/contracts';
import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { movementsTopic, NODE_CONFIG, NodeConfig } from '../../../config/node.config';
import { EventIds } from '../../../infrastructure/event-ids';
import { RecordIntake } from '../../../infrastructure/record-intake';
import { Clock, CLOCK } from '../../../infrastructure/tokens';
import { anonymiseMovement, checkMovement } from '../../domain/anonymise';
import { RecordMovements, RecordResult } from './record-movements.command';

/** `POST /v1/movements`: the batch is checked as a whole, anonymised in memory, and each new record
 * opens its own stream with `MovementRecorded`, through the node's idempotent intake. */
@CommandHandler(RecordMovements)
export class RecordMovementsHandler implements ICommandHandler<RecordMovements, RecordResult[]> {
  constructor(
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly ids: EventIds,
    private readonly intake: RecordIntake,
  ) {}

  async execute({ records }: RecordMovements): Promise<RecordResult[]> {
    const now = this.clock.now();
    const state = this.config.NODE_STATE;
    const errors = records.flatMap((r, i) => checkMovement(r, i, state, now));
    if (errors.length > 0) throw new ValidationFailed(errors);

    const recordedAt = now.toISOString();
    const results = await this.intake.take(
      'movement',
      records,
      (raw, digest) => {
        const { occurredOn, data } = anonymiseMovement(raw);
        // The same record posted again after a restore gets the id it had (EventIds).
        const eventId = this.ids.forRecord('movement', digest);
        return {
          answerId: eventId,
          event: {
            eventId,
            type: MOVEMENT_RECORDED,
            schemaVersion: 1,
            provider: state,
            streamId: movementStreamId(eventId),
            streamVersion: 1,
            occurredOn,
            recordedAt,
            data,
          },
        };
      },
      movementsTopic(this.config),
    );
    return results.map(({ id, status }, i) => ({ recordId: records[i].recordId, eventId: id, status }));
  }
}
