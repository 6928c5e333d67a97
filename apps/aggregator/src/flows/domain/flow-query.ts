import type { DisclosureReport } from '../../disclosure/domain/disclosure-report';

/** The dimensions a flow query may group by or filter on, and what each means. */
export const FLOW_DIMENSIONS = [
  'route',
  'provider',
  'borderCrossingPoint',
  'direction',
  'departedFrom',
  'intendedDestination',
  'citizenship',
  'category',
  'sex',
  'ageBand',
] as const;
export type FlowDimension = (typeof FLOW_DIMENSIONS)[number];

export const GRANULARITIES = ['day', 'week', 'month', 'year'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export interface FlowQuery {
  from: string;
  to: string;
  granularity: Granularity;
  groupBy: FlowDimension[];
  providers?: string[];
  routes?: string[];
  categories?: string[];
  citizenship?: string[];
  direction?: string[];
  borderCrossingPoints?: string[];
}

/** A cell of the answer; `count` is null when disclosure control withheld it (never zero). */
export type FlowRow = { period: string; count: number | null; suppressed?: string } & Partial<Record<FlowDimension, string>>;

export type { DisclosureReport };

export interface FlowAnswer {
  query: FlowQuery;
  granularity: Granularity;
  from: string;
  to: string;
  rows: FlowRow[];
  totals: { count: number | null; suppressed?: string; byPeriod: { period: string; count: number | null; suppressed?: string }[] };
  disclosure: DisclosureReport;
}

/** Dimensions a query touches, by its group-bys and filters: a grant must allow each. */
export function dimensionsUsed(q: FlowQuery): string[] {
  const used = new Set<string>(q.groupBy);
  if (q.providers?.length) used.add('provider');
  if (q.routes?.length) used.add('route');
  if (q.categories?.length) used.add('category');
  if (q.citizenship?.length) used.add('citizenship');
  if (q.direction?.length) used.add('direction');
  if (q.borderCrossingPoints?.length) used.add('borderCrossingPoint');
  return [...used];
}

/** A route is `departedFrom>provider>intendedDestination`. */
export function parseRoute(route: string): [string, string, string] | null {
  const parts = route.split('>');
  return parts.length === 3 && parts.every((p) => /^[A-Z]{2}$/.test(p)) ? (parts as [string, string, string]) : null;
}
