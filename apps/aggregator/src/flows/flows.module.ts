import { Module } from '@nestjs/common';
import { FlowsController } from './api/flows.controller';
import { QueryFlowsHandler } from './application/query-flows/query-flows.handler';

@Module({ controllers: [FlowsController], providers: [QueryFlowsHandler] })
export class FlowsModule {}
