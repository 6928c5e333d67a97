import { Query } from '@nestjs/cqrs';
import type { FlowAnswer, FlowQuery } from '../../answers/flow-answer';

export class QueryFlows extends Query<FlowAnswer> {
  constructor(
    readonly query: FlowQuery,
    /** `secretariat`, `state:XX` or `org:NAME`: the agreements decide what it sees. */
    readonly principal: string,
    /** The registry's change count as the request's key lookup read it (readWithKeyOf), if any:
     * lets the grants read of a request be skipped when nothing changed (grantsWithRelease). */
    readonly registrySeen?: unknown,
  ) {
    super();
  }
}
