import { DomainError, movementStreamId } from '@caravanserai/contracts';
import { inTransaction } from '@caravanserai/database';
import { ConcurrencyError, OutboxForwarder, PgEventStore } from '@caravanserai/event-store';
import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Pool } from 'pg';
import { movementsTopic, NODE_CONFIG, NodeConfig } from '../../../config/node.config';
import { Clock, CLOCK, ID_GENERATOR, IdGenerator, PG_POOL } from '../../../infrastructure/tokens';
import { decide, evolve, initialMovementState } from '../../domain/movement.decider';
import { RetractionResult, RetractMovementCommand } from './retract-movement.command';

@CommandHandler(RetractMovementCommand)
export class RetractMovementHandler implements ICommandHandler<RetractMovementCommand, RetractionResult> {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly newId: IdGenerator,
    private readonly store: PgEventStore,
    private readonly forwarder: OutboxForwarder,
  ) {}

  async execute({ movementEventId, reason }: RetractMovementCommand): Promise<RetractionResult> {
    const streamId = movementStreamId(movementEventId);
    const history = await this.store.readStream(streamId);
    const state = history.reduce(evolve, initialMovementState);
    const decision = decide({ type: 'RetractMovement', movementEventId, reason }, state);
    const eventId = this.newId();
    try {
      await inTransaction(this.pool, (client) =>
        this.store.append(
          client,
          [
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
          ],
          movementsTopic(this.config),
        ),
      );
    } catch (e) {
      if (e instanceof ConcurrencyError) {
        throw new DomainError('MOVEMENT.CONCURRENT_CHANGE', `movement ${movementEventId} was changed concurrently; read it again`, 'conflict');
      }
      throw e;
    }
    this.forwarder.notify();
    return { movementEventId, eventId, status: 'retracted' };
  }
}
