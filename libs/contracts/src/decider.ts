import type { EventEnvelope } from './events';

/** What a decider decides: the one event a command records and the stream position it takes. */
export interface Decision<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
  /** The position the event takes: the state's version + 1 (1 for a new stream). */
  streamVersion: number;
  /** The day the event belongs to (a crossing's, a referral step's, a decision's), YYYY-MM-DD. */
  occurredOn: string;
}

/** What a node knows when it decides: whom it speaks for, and when. */
export interface DecisionContext {
  nodeState: string;
  now: Date;
}

/**
 * A stream's behaviour as three pure parts, in the manner of emmett's `Decider`: the state before
 * any event, how an event changes the state, and what a command records given the state (or the
 * DomainError that refuses it). The node's command pipeline (CommandPipeline) is the one place
 * that loads, folds, decides and appends with them.
 */
export interface Decider<State, Command, D extends Decision = Decision> {
  initialState: State;
  evolve(state: State, event: EventEnvelope): State;
  decide(command: Command, state: State, context: DecisionContext): D;
}
