import { Module } from '@nestjs/common';
import { FlowsController } from './api/flows.controller';
import { QueryFlowsHandler } from './application/query-flows/query-flows.handler';
import { PgFlowReader } from './infrastructure/pg-flow-reader';

@Module({ controllers: [FlowsController], providers: [PgFlowReader, QueryFlowsHandler] })
export class FlowsModule {}
