import type { PoolClient } from 'pg';
import type { ActiveAlert, Assessed, SeriesId } from '../domain/alert-decisions';
import { seriesKey } from '../domain/alert-decisions';
import { addKeys } from '../../disclosure/domain/cell-key';
import { assess, SERIES_DAYS, SurgeThresholds, windowKeys } from '../domain/surge-detector';
import { ROUTE_SQL as ROUTE } from '../../infrastructure/flow-columns';

/**
 * The reference day of a run: the latest day with projected movements, or today when that is
 * later than today (a clock ahead at a node) or there are none. Data arrive days after the
 * crossing, and a demo or a backfill may end in the past: anchoring on the data rather than the
 * clock keeps the recent week from being an empty week that could never surge.
 */
export async function referenceDay(client: PoolClient, today: string): Promise<string> {
  const { rows } = await client.query<{ day: string | null }>(
    `SELECT to_char(least(max(day), $1::date), 'YYYY-MM-DD') AS day FROM flow_counts WHERE count <> 0`,
    [today],
  );
  return rows[0].day ?? today;
}

/** Every series with movements in the 35 days up to `asOf`, assessed, with the cell keys of its
 * windows (each day's key sum mod 2^32, added up per week); one scan of flow_counts. */
export async function assessSeries(client: PoolClient, from: string, asOf: string, thresholds: SurgeThresholds): Promise<Assessed[]> {
  const { rows } = await client.query<{
    provider: string;
    route: string | null;
    bcp: string | null;
    category: string | null;
    scope: string;
    idx: number;
    n: string;
    key: string;
  }>(
    `SELECT provider, route, border_crossing_point AS bcp, category,
            CASE grouping(route, border_crossing_point, category)
                 WHEN 3 THEN 'route' WHEN 5 THEN 'borderCrossingPoint' ELSE 'routeCategory' END AS scope,
            day - $1::date AS idx, sum(count)::bigint AS n, (sum(key_sum) % 4294967296)::bigint AS key
       FROM (SELECT provider, ${ROUTE} AS route, border_crossing_point, category, day, count, key_sum
               FROM flow_counts WHERE day BETWEEN $1::date AND $2::date) f
      GROUP BY GROUPING SETS ((provider, route, day), (provider, border_crossing_point, day), (provider, route, category, day))`,
    [from, asOf],
  );
  const series = new Map<string, { id: SeriesId; daily: number[]; keys: number[] }>();
  for (const r of rows) {
    const id: SeriesId = {
      provider: r.provider,
      scope: r.scope as SeriesId['scope'],
      route: r.scope === 'borderCrossingPoint' ? null : r.route,
      borderCrossingPoint: r.scope === 'borderCrossingPoint' ? r.bcp : null,
      category: r.scope === 'routeCategory' ? r.category : null,
    };
    const key = seriesKey(id);
    const entry = series.get(key) ?? { id, daily: new Array<number>(SERIES_DAYS).fill(0), keys: new Array<number>(SERIES_DAYS).fill(0) };
    entry.daily[r.idx] += Number(r.n);
    entry.keys[r.idx] = addKeys(entry.keys[r.idx], Number(r.key));
    series.set(key, entry);
  }
  return [...series.values()].map(({ id, daily, keys }) => ({ series: id, assessment: assess(daily, thresholds), keys: windowKeys(keys) }));
}

export async function activeAlerts(client: PoolClient): Promise<ActiveAlert[]> {
  const { rows } = await client.query(
    `SELECT alert_id, provider, scope, route, border_crossing_point, category, severity, version
       FROM alerts WHERE status = 'active' FOR UPDATE`,
  );
  return rows.map((r) => ({
    alertId: r.alert_id,
    provider: r.provider,
    scope: r.scope,
    route: r.route,
    borderCrossingPoint: r.border_crossing_point,
    category: r.category,
    severity: r.severity,
    version: r.version,
  }));
}
