import { Decider, Decision, DomainError, EventEnvelope } from '@caravanserai/contracts';
import { OutboxForwarder, PgEventStore } from '@caravanserai/event-store';
import { Inject, Injectable } from '@nestjs/common';
import { NODE_CONFIG, NodeConfig } from '../config/node.config';
import { EventIds } from './event-ids';
import { Clock, CLOCK } from './tokens';

/** The one rule for a lost race on a stream position: decide again on the new state, up to this
 * many decisions in all, then answer 409 with the stream's own conflict error. */
export const DECISION_ATTEMPTS = 3;

/** What a command did: the state it was decided on, the decision, and the event as appended. */
export interface Handled<State, D extends Decision> {
  state: State;
  decision: D;
  event: EventEnvelope;
}

/**
 * The node's one command pipeline, in the manner of emmett's `handleCommandWithDecider`: load the
 * stream, fold it with the decider's `evolve` from its `initialState`, `decide` (a DomainError
 * refuses the command, nothing written), build the envelope (the decision's id from EventIds, so
 * that the same decision again after a restore is the same event), append it with its outbox row at
 * the decided stream version (PgEventStore signs it), and wake the forwarder. Two commands racing
 * on one stream both decide on version n; the append of one fails on the unique stream position,
 * and that one is decided again on the new state — where it may still make sense (acknowledge,
 * then accept) or be refused (a second revocation) — up to DECISION_ATTEMPTS, then `conflict()`.
 * The loser never overwrites the winner.
 */
@Injectable()
export class CommandPipeline {
  constructor(
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly ids: EventIds,
    private readonly store: PgEventStore,
    private readonly forwarder: OutboxForwarder,
  ) {}

  async handle<State, Command, D extends Decision>(
    decider: Decider<State, Command, D>,
    stream: {
      streamId: string;
      topic: string;
      conflict: () => DomainError;
      /** The schemaVersion the event is published at (default 1): a stream whose events gained an
       * optional member publishes 2 only when they carry it (docs/events.md, "Versioning"). */
      schemaVersion?: (decision: D) => number;
    },
    command: Command,
  ): Promise<Handled<State, D>> {
    for (let attempt = 1; attempt <= DECISION_ATTEMPTS; attempt++) {
      const state = (await this.store.readStream(stream.streamId)).reduce(decider.evolve, decider.initialState);
      const now = this.clock.now();
      const decision = decider.decide(command, state, { nodeState: this.config.NODE_STATE, now });
      const event: EventEnvelope = {
        eventId: this.ids.forDecision(stream.streamId, decision.streamVersion, decision.type, decision.data),
        type: decision.type,
        schemaVersion: stream.schemaVersion?.(decision) ?? 1,
        provider: this.config.NODE_STATE,
        streamId: stream.streamId,
        streamVersion: decision.streamVersion,
        occurredOn: decision.occurredOn,
        recordedAt: now.toISOString(),
        data: decision.data,
      };
      if (await this.store.appendAlone(event, stream.topic)) {
        this.forwarder.notify();
        return { state, decision, event };
      }
      // Another decision took the position meanwhile: read the stream again and decide anew.
    }
    throw stream.conflict();
  }
}
