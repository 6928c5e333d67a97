import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { SecretariatLog } from '../../../kernel/ports/secretariat-log';
import { SCENARIO_EVENT_TYPES, scenarioView, ScenarioView } from '../../domain/scenario';
import { QueryScenarios } from '../../../kernel/messages/query-scenarios.query';

/** The scenarios from the secretariat log, one per stream, ordered by target. Few (one per route
 * or crossing point planned for), so read whole each time rather than projected. */
@QueryHandler(QueryScenarios)
export class QueryScenariosHandler implements IQueryHandler<QueryScenarios, ScenarioView[]> {
  constructor(private readonly log: SecretariatLog) {}

  async execute({ status }: QueryScenarios): Promise<ScenarioView[]> {
    const byStream = new Map<string, Awaited<ReturnType<SecretariatLog['ofTypes']>>>();
    for (const event of await this.log.ofTypes(SCENARIO_EVENT_TYPES)) {
      byStream.set(event.streamId, [...(byStream.get(event.streamId) ?? []), event]);
    }
    const views = [...byStream.values()]
      .map((events) => scenarioView(events.sort((a, b) => a.streamVersion - b.streamVersion))!)
      .sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
    return status === 'active' ? views.filter((v) => v.status === 'active') : views;
  }
}
