import { Module } from '@nestjs/common';
import { ScenariosController } from './api/scenarios.controller';
import { ChangeScenarioHandler } from './application/change-scenario/change-scenario.handler';
import { QueryScenariosHandler } from './application/query-scenarios/query-scenarios.handler';

/** Contingency scenarios: planning figures and reception capacity per route or crossing point (docs/contingency.md). */
@Module({ controllers: [ScenariosController], providers: [ChangeScenarioHandler, QueryScenariosHandler] })
export class ContingencyModule {}
