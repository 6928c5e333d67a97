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

export type FlowRow = { period: string; count: number } & Partial<Record<FlowDimension, string>>;

export interface FlowAnswer {
  query: FlowQuery;
  rows: FlowRow[];
  totals: { count: number; byPeriod: { period: string; count: number }[] };
}

/** A route is `departedFrom>provider>intendedDestination`. */
export function parseRoute(route: string): [string, string, string] | null {
  const parts = route.split('>');
  return parts.length === 3 && parts.every((p) => /^[A-Z]{2}$/.test(p)) ? (parts as [string, string, string]) : null;
}
