import { Injectable, OnModuleInit } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { createHash } from 'node:crypto';
import { QueryScenarios } from '../../../kernel/messages/query-scenarios.query';
import { FeedSource, FeedSources, FeedWriting, PendingFeedItem } from '../../../kernel/ports/feed-sources';
import { Releases } from '../../../kernel/ports/releases';
import { QueryForecast } from '../query-forecast/query-forecast.query';

/** What this source marks done: the latest release under the scenarios as they stand (a new or
 * changed scenario is looked at again within the same release). */
export const forecastMark = (releaseId: number, scenariosStamp: string) => `forecast/${releaseId}/${scenariosStamp}`;
/** One item per recipient, release, route and scenario version. */
export const forecastItemId = (releaseId: number, route: string, scenarioVersion: number) => `forecast/${releaseId}/${route}/${scenarioVersion}`;

/**
 * The forecast alert (docs/forecast.md, "The alert"): for the latest release, each recipient with
 * a feed gets, for each route with a scenario that its forecast — computed by QueryForecast as
 * that recipient, so from what GET /v1/flows answers it weekly — is expected or may be going over
 * the route's planning figure or capacity, one `forecast.exceedance` item. Audited like the answer
 * it was computed from, under the agreement of the route's state, so a revocation hides it.
 */
@Injectable()
export class ForecastFeedSource implements FeedSource, OnModuleInit {
  readonly name = 'forecast';

  constructor(
    private readonly releases: Releases,
    private readonly queries: QueryBus,
    private readonly sources: FeedSources,
  ) {}

  onModuleInit(): void {
    this.sources.register(this);
  }

  async write(w: FeedWriting): Promise<number> {
    const release = await this.releases.latest();
    if (!release) return 0;
    const scenarios = await this.queries.execute(new QueryScenarios('all'));
    const stamp = createHash('sha256')
      .update(JSON.stringify(scenarios.map((s) => [s.target, s.version])))
      .digest('hex')
      .slice(0, 16);
    const mark = forecastMark(release.id, stamp);
    if ((await w.marked([mark])).size > 0) return 0;
    const routes = scenarios.filter((s) => s.status === 'active' && s.targetKind === 'route').map((s) => s.target);
    const items: PendingFeedItem[] = [];
    if (routes.length > 0) {
      const grants = new Set((await w.grants()).map((g) => g.agreementId));
      for (const recipient of await w.recipients()) {
        const { answer, flows } = await this.queries.execute(new QueryForecast({ routes, byCategory: false, level: 80 }, recipient));
        // Another release was cut meanwhile: its own run writes its items.
        if (answer.release?.id !== release.id) return 0;
        const alerting = answer.series.filter((s) => s.alerts.length > 0);
        if (alerting.length === 0) continue;
        await w.fed(recipient, 'forecast.exceedance', answer.flowsQuery, { answer: { rows: flows.rows, disclosure: answer.disclosure } });
        for (const series of alerting) {
          const basis = answer.disclosure.agreements.find((a) => a.provider === series.route.split('>')[1])?.agreement ?? null;
          const data = {
            release,
            route: series.route,
            scenario: series.scenario,
            alerts: series.alerts,
            forecast: series.forecast,
            history: series.history.slice(-12),
            flowsQuery: answer.flowsQuery,
            disclosure: answer.disclosure,
          };
          const id = forecastItemId(release.id, series.route, series.scenario!.version);
          items.push(await w.item(id, 'forecast.exceedance', recipient, release.cutAt, data, basis !== null && grants.has(basis) ? basis : null));
        }
      }
    }
    return w.append(items, [mark]);
  }
}
