import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Pool } from 'pg';
import { PG_POOL } from '../../../infrastructure/tokens';
import { FlowAnswer, FlowDimension, FlowRow, Granularity, parseRoute } from '../../domain/flow-query';
import { QueryFlows } from './query-flows.query';

/** SQL expression of each dimension; only these strings ever reach the SQL text. */
const DIMENSION_SQL: Record<FlowDimension, string> = {
  route: `departed_from || '>' || provider || '>' || intended_destination`,
  provider: 'provider',
  borderCrossingPoint: 'border_crossing_point',
  direction: 'direction',
  departedFrom: 'departed_from',
  intendedDestination: 'intended_destination',
  citizenship: 'citizenship',
  category: 'category',
  sex: 'sex',
  ageBand: 'age_band',
};

/** ISO weeks start on Monday, as date_trunc('week') does; a period is labelled by its start. */
const PERIOD_SQL: Record<Granularity, string> = {
  day: `to_char(day, 'YYYY-MM-DD')`,
  week: `to_char(date_trunc('week', day), 'IYYY-"W"IW')`,
  month: `to_char(day, 'YYYY-MM')`,
  year: `to_char(day, 'YYYY')`,
};

@QueryHandler(QueryFlows)
export class QueryFlowsHandler implements IQueryHandler<QueryFlows, FlowAnswer> {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async execute({ query }: QueryFlows): Promise<FlowAnswer> {
    const params: unknown[] = [query.from, query.to];
    const where = ['day BETWEEN $1::date AND $2::date'];
    const filter = (column: string, values: string[] | undefined) => {
      if (!values?.length) return;
      params.push(values);
      where.push(`${column} = ANY($${params.length}::text[])`);
    };
    filter('provider', query.providers);
    filter('category', query.categories);
    filter('citizenship', query.citizenship);
    filter('direction', query.direction);
    filter('border_crossing_point', query.borderCrossingPoints);
    if (query.routes?.length) {
      const triples = query.routes.map(parseRoute).filter((t): t is [string, string, string] => t !== null);
      params.push(triples.map((t) => t[0]), triples.map((t) => t[1]), triples.map((t) => t[2]));
      const n = params.length;
      where.push(`(departed_from, provider, intended_destination) IN (SELECT * FROM unnest($${n - 2}::text[], $${n - 1}::text[], $${n}::text[]))`);
    }

    const dims = query.groupBy;
    const select = [`${PERIOD_SQL[query.granularity]} AS period`, ...dims.map((d) => `${DIMENSION_SQL[d]} AS "${d}"`)];
    const groupBy = select.map((_, i) => String(i + 1));
    const sql = `SELECT ${select.join(', ')}, sum(count)::bigint AS count
                   FROM flow_counts
                  WHERE ${where.join(' AND ')}
                  GROUP BY ${groupBy.join(', ')}
                 HAVING sum(count) <> 0
                  ORDER BY ${groupBy.join(', ')}`;
    const { rows } = await this.pool.query(sql, params);

    const result: FlowRow[] = rows.map((r) => {
      const row: FlowRow = { period: r.period, count: Number(r.count) };
      for (const d of dims) row[d] = r[d];
      return row;
    });
    const byPeriod = new Map<string, number>();
    let total = 0;
    for (const r of result) {
      byPeriod.set(r.period, (byPeriod.get(r.period) ?? 0) + r.count);
      total += r.count;
    }
    return {
      query,
      rows: result,
      totals: { count: total, byPeriod: [...byPeriod].map(([period, count]) => ({ period, count })) },
    };
  }
}
