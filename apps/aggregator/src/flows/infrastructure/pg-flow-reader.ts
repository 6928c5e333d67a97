import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { KEY_RANGE } from '../../disclosure/domain/cell-key';
import { cutsCondition } from '../../disclosure/domain/disclosure-report';
import type { FlowPlan, ProviderCut } from '../../disclosure/domain/policy';
import { sqlFragment } from '../../infrastructure/sql-fragment';
import { PG_POOL } from '../../infrastructure/tokens';
import { FlowQuery, Granularity, parseRoute } from '../../answers/flow-answer';
import type { FlowDimension } from '../../answers/movement-dimensions';
import { DIMENSION_COLUMNS, FLOW_COLUMN } from '../../infrastructure/flow-columns';
import { Rollup, rollupFor, splitRange } from '../domain/rollup-split';

/** A period's first day, which the cells are grouped by (a rollup row's day already is one). */
const PERIOD_START_SQL: Record<Granularity, string> = {
  day: FLOW_COLUMN.day,
  week: `date_trunc('week', ${FLOW_COLUMN.day})::date`,
  month: `date_trunc('month', ${FLOW_COLUMN.day})::date`,
  year: `date_trunc('year', ${FLOW_COLUMN.day})::date`,
};
/** The period's label, from its first day; ISO weeks start on Monday, as date_trunc('week') does. */
const PERIOD_LABEL: Record<Granularity, string> = {
  day: `to_char(p_start, 'YYYY-MM-DD')`,
  week: `to_char(p_start, 'IYYY-"W"IW')`,
  month: `to_char(p_start, 'YYYY-MM')`,
  year: `to_char(p_start, 'YYYY')`,
};

const C = FLOW_COLUMN;
/** The tables a read may name: only these strings reach the SQL text. */
const TABLES: Record<FlowSource['table'], string> = {
  released_flow_counts: 'released_flow_counts',
  released_flow_counts_week: 'released_flow_counts_week',
  released_flow_counts_month: 'released_flow_counts_month',
};
const CUT_COLUMNS = { provider: C.provider, day: C.day, category: C.category };
/** The route's three columns, to match (departed_from, provider, intended_destination) triples. */
const ROUTE_COLUMNS = `(${C.departedFrom}, ${C.provider}, ${C.intendedDestination})`;
/** One provider's part of a figure: of a cell (level 0, with a member per groupBy dimension), of a
 * period (level 1) or of the whole answer (level 2); `count` and `key` as PostgreSQL's bigint text. */
export type FlowPartRow = { period: string; part_provider: string; level: number; count: string; key: string } & Partial<Record<FlowDimension, string>>;

/** Where a read of released flow cells comes from: a table of the released snapshot, and the cuts
 * (with their days narrowed to what this table is to give) of the providers read from it. */
export interface FlowSource {
  table: 'released_flow_counts' | 'released_flow_counts_week' | 'released_flow_counts_month';
  cuts: ProviderCut[];
}

const ROLLUP_TABLE: Record<Rollup, FlowSource['table']> = { week: 'released_flow_counts_week', month: 'released_flow_counts_month' };

/**
 * The tables a question is answered from, each provider within its cut: for weeks, months and years
 * the whole weeks or months inside both the question's days and the provider's from the rollup
 * (one row per period and cell instead of up to 31), the days left at either edge from the day cells.
 * Rollup rows sum exactly the released day cells (cut in the same transaction), so the sums are the
 * same as a read of the day cells alone; days stay as they are.
 */
export function flowSources(from: string, to: string, granularity: Granularity, cuts: ProviderCut[]): FlowSource[] {
  const rollup = rollupFor(granularity);
  if (rollup === null) return [{ table: 'released_flow_counts', cuts }];
  const whole: ProviderCut[] = [];
  const edges: ProviderCut[] = [];
  for (const cut of cuts) {
    const first = cut.firstDay !== null && cut.firstDay > from ? cut.firstDay : from;
    const last = cut.lastDay !== null && cut.lastDay < to ? cut.lastDay : to;
    const split = splitRange(first, last, rollup);
    if (split.whole) whole.push({ ...cut, firstDay: split.whole.first, lastDay: split.whole.last });
    for (const e of split.edges) edges.push({ ...cut, firstDay: e.first, lastDay: e.last });
  }
  return [
    { table: ROLLUP_TABLE[rollup], cuts: whole },
    { table: 'released_flow_counts', cuts: edges },
  ];
}

/** The flows answer's read of the latest release (released_flow_counts and its rollups). */
@Injectable()
export class PgFlowReader {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** The tables to read; a test reads the day cells alone through a subclass, to compare. */
  protected sources(from: string, to: string, granularity: Granularity, cuts: ProviderCut[]): FlowSource[] {
    return flowSources(from, to, granularity, cuts);
  }

  /** The cells read, summed into the finest groups (`finest`: the period, the grouped columns and
   * the part's provider), as a relation with `count` and `key_sum`; a test reads the cells themselves
   * through a subclass, to compare. */
  protected finestSums(reads: string, finest: string): string {
    return `(SELECT ${finest}, sum(count) AS count, sum(key_sum) AS key_sum FROM (${reads}) f GROUP BY ${finest})`;
  }

  /**
   * Counts and key sums per provider: per cell (level 0), per period (level 1) and over the whole
   * answer (level 2), each provider within its cut, from the latest release.
   */
  async parts(
    query: FlowQuery,
    from: string,
    to: string,
    granularity: Granularity,
    cuts: ProviderCut[],
    emergency?: FlowPlan['emergency'],
  ): Promise<FlowPartRow[]> {
    const params: unknown[] = [from, to];
    const p = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    // The conditions every source shares (their values bound once); each adds its own cuts.
    const where = [`${C.day} BETWEEN $1::date AND $2::date`];
    const filter = (column: string, values: string[] | undefined) => {
      if (values?.length) where.push(`${column} = ANY(${p(values)}::text[])`);
    };
    filter(C.category, query.categories);
    filter(C.citizenship, query.citizenship);
    filter(C.direction, query.direction);
    filter(C.borderCrossingPoint, query.borderCrossingPoints);
    // Under an emergency, only rows in its scope: its routes, or its crossing points.
    if (emergency) {
      const triples = emergency.routes.map(parseRoute).filter((t): t is [string, string, string] => t !== null);
      where.push(
        `(${ROUTE_COLUMNS} IN (SELECT * FROM unnest(${p(triples.map((t) => t[0]))}::text[], ${p(triples.map((t) => t[1]))}::text[], ${p(triples.map((t) => t[2]))}::text[]))
          OR ${C.borderCrossingPoint} = ANY(${p(emergency.borderCrossingPoints)}::text[]))`,
      );
    }
    if (query.routes?.length) {
      const triples = query.routes.map(parseRoute).filter((t): t is [string, string, string] => t !== null);
      where.push(
        `${ROUTE_COLUMNS} IN (SELECT * FROM unnest(${p(triples.map((t) => t[0]))}::text[], ${p(triples.map((t) => t[1]))}::text[], ${p(triples.map((t) => t[2]))}::text[]))`,
      );
    }
    // The cells are grouped by their raw columns (a route by its three) and labelled once grouped:
    // the same groups (no code holds a '>'), at a third of the cost of grouping by built text. Each
    // column is aliased g<i>_<j> (dimension i, column j) and each value by the dimension's name, once
    // sqlFragment has shown it to be one: only constants reach the SQL text.
    const grouped = query.groupBy.map((d, i) => {
      const aliases = sqlFragment(DIMENSION_COLUMNS, d, 'dimension').map((_, j) => `g${i}_${j}`);
      const columns = DIMENSION_COLUMNS[d];
      return { name: d, aliases, inner: columns.map((c, j) => `${c} AS ${aliases[j]}`), value: aliases.join(` || '>' || `) };
    });
    const inner = [`${sqlFragment(PERIOD_START_SQL, granularity, 'granularity')} AS p_start`, ...grouped.flatMap((g) => g.inner)];
    // A rollup row's day is its period's first day, so the period and the dimensions read the same off every table.
    const reads = this.sources(from, to, granularity, cuts).map(
      (s) => `SELECT ${inner.join(', ')}, ${C.provider} AS part_provider, count, key_sum
                FROM ${sqlFragment(TABLES, s.table, 'table')}
               WHERE ${[...where, cutsCondition(s.cuts, params, CUT_COLUMNS)].join(' AND ')}`,
    );
    // Each provider's part is grouped by part_provider, apart from a "provider" dimension asked for.
    // The cells are summed once into the finest groups, and the periods' and the answer's sums are
    // taken from those (a few thousand rows) rather than from every cell again: hashing each of a
    // quarter's 195,000 day cells into three grouping sets cost PostgreSQL 100-130 ms of CPU, into one
    // 70-90. The sums and the filter are the same: a group is dropped only at its own level, and
    // its key sum is reduced mod the range only there.
    // The rows come in the order of their groups, so that the same figures make the same answer (and
    // ETag) whatever order the cells lie in: a hash aggregate's order is the table's, which a rebuild changes.
    const columns = grouped.flatMap((g) => g.aliases);
    const finest = ['p_start', ...columns, 'part_provider'].join(', ');
    const sets = [...(columns.length > 0 ? [`(${finest})`] : []), '(p_start, part_provider)', '(part_provider)'];
    const level = columns.length > 0 ? `grouping(p_start) + grouping(${columns[0]})` : `grouping(p_start) + 1`;
    const values = grouped.map((g) => `${g.value} AS "${g.name}"`);
    const sql = `SELECT ${sqlFragment(PERIOD_LABEL, granularity, 'granularity')} AS period, ${[...values, ''].join(', ')} part_provider, ${level} AS level,
                        sum(count)::bigint AS count, (sum(key_sum) % ${KEY_RANGE})::bigint AS key
                   FROM ${this.finestSums(reads.join(' UNION ALL '), finest)} c
                  GROUP BY GROUPING SETS (${sets.join(', ')})
                 HAVING sum(count) <> 0
                  ORDER BY p_start, ${[...columns, ''].join(', ')} part_provider`;
    return (await this.pool.query<FlowPartRow>(sql, params)).rows;
  }
}
