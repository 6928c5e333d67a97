import { Query } from '@nestjs/cqrs';
import type { FlowAnswer, FlowQuery } from '../../answers/flow-answer';

export class QueryFlows extends Query<FlowAnswer> {
  constructor(
    readonly query: FlowQuery,
    /** `secretariat`, `state:XX` or `org:NAME`: the agreements decide what it sees. */
    readonly principal: string,
  ) {
    super();
  }
}
