import { movementStreamId } from '@caravanserai/contracts';
import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { movementsTopic, NODE_CONFIG, NodeConfig } from '../../../config/node.config';
import { CommandPipeline } from '../../../infrastructure/command-pipeline';
import { MovementError, movementDecider } from '../../domain/movement.decider';
import { RetractionResult, RetractMovementCommand } from './retract-movement.command';

@CommandHandler(RetractMovementCommand)
export class RetractMovementHandler implements ICommandHandler<RetractMovementCommand, RetractionResult> {
  constructor(
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    private readonly pipeline: CommandPipeline,
  ) {}

  async execute({ movementEventId, reason }: RetractMovementCommand): Promise<RetractionResult> {
    const { event } = await this.pipeline.handle(
      movementDecider,
      { streamId: movementStreamId(movementEventId), topic: movementsTopic(this.config), conflict: () => MovementError.concurrentChange(movementEventId) },
      { type: 'RetractMovement', movementEventId, reason },
    );
    return { movementEventId, eventId: event.eventId, status: 'retracted' };
  }
}
