import { DomainError, movementStreamId } from '@caravanserai/contracts';
import { OutboxForwarder, PgEventStore } from '@caravanserai/event-store';
import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { movementsTopic, NODE_CONFIG, NodeConfig } from '../../../config/node.config';
import { EventIds } from '../../../infrastructure/event-ids';
import { Clock, CLOCK } from '../../../infrastructure/tokens';
import { decide, evolve, initialMovementState } from '../../domain/movement.decider';
import { RetractionResult, RetractMovementCommand } from './retract-movement.command';

@CommandHandler(RetractMovementCommand)
export class RetractMovementHandler implements ICommandHandler<RetractMovementCommand, RetractionResult> {
  constructor(
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly ids: EventIds,
    private readonly store: PgEventStore,
    private readonly forwarder: OutboxForwarder,
  ) {}

  async execute({ movementEventId, reason }: RetractMovementCommand): Promise<RetractionResult> {
    const streamId = movementStreamId(movementEventId);
    const history = await this.store.readStream(streamId);
    const state = history.reduce(evolve, initialMovementState);
    const decision = decide({ type: 'RetractMovement', movementEventId, reason }, state);
    const eventId = this.ids.forDecision(streamId, decision.streamVersion, decision.type, decision.data);
    const appended = await this.store.appendAlone(
      {
        eventId,
        type: decision.type,
        schemaVersion: 1,
        provider: this.config.NODE_STATE,
        streamId,
        streamVersion: decision.streamVersion,
        occurredOn: decision.occurredOn,
        recordedAt: this.clock.now().toISOString(),
        data: decision.data,
      },
      movementsTopic(this.config),
    );
    if (!appended) {
      throw new DomainError('MOVEMENT.CONCURRENT_CHANGE', `movement ${movementEventId} was changed concurrently; read it again`, 'conflict');
    }
    this.forwarder.notify();
    return { movementEventId, eventId, status: 'retracted' };
  }
}
