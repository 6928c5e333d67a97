import { agreementSchemaVersion, agreementStreamId } from '@caravanserai/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { agreementsTopic, NODE_CONFIG, NodeConfig } from '../../config/node.config';
import { CommandPipeline, Handled } from '../../infrastructure/command-pipeline';
import { AgreementCommand, AgreementDecision, agreementDecider, AgreementError, AgreementState } from '../domain/agreement.decider';

/** An agreement command through the node's command pipeline, on the stream `agreement-<id>`,
 * published on agreements.v1. */
@Injectable()
export class AgreementPipeline {
  constructor(
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    private readonly pipeline: CommandPipeline,
  ) {}

  handle(command: AgreementCommand): Promise<Handled<AgreementState, AgreementDecision>> {
    return this.pipeline.handle(
      agreementDecider,
      {
        streamId: agreementStreamId(command.agreementId),
        topic: agreementsTopic(this.config),
        conflict: () => AgreementError.concurrentChange(command.agreementId),
        // 2 only for an event carrying the emergency term: a state without one stays readable by
        // every deployed aggregator.
        schemaVersion: (decision) => agreementSchemaVersion(decision.type, decision.data),
      },
      command,
    );
  }
}
