import { Query } from '@nestjs/cqrs';
import type { FlowAnswer, FlowQuery } from '../../domain/flow-query';

export class QueryFlows extends Query<FlowAnswer> {
  constructor(readonly query: FlowQuery) {
    super();
  }
}
