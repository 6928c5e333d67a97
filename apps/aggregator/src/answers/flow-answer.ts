/**
 * The answers as published (GET /v1/flows): the question, its rows and the disclosure block. Part of
 * the aggregator's published language in answers/, which the context that computes them (flows),
 * the representation layer (formats) and every reader of them share, so none imports another for it.
 */
import type { DisclosureReport, ReleaseRef } from '../disclosure/domain/disclosure-report';
import type { CoarserStates } from '../disclosure/domain/policy';
import type { FlowDimension } from './movement-dimensions';

export { FLOW_DIMENSIONS, type FlowDimension } from './movement-dimensions';

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
  /** States whose grant is coarser than `granularity`: coarsen the answer (`include`, the default) or leave them out. */
  coarser?: CoarserStates;
  /** Asked under this declared emergency (docs/emergencies.md): limited to its scope, each state's
   * part cut to its emergency terms where they are in effect for the caller. */
  emergency?: string;
}

/** A cell of the answer, as published (see the answer's `disclosure.method`); never zero. */
export type FlowRow = { period: string; count: number } & Partial<Record<FlowDimension, string>>;

export type { DisclosureReport };

export interface FlowAnswer {
  query: FlowQuery;
  granularity: Granularity;
  from: string;
  to: string;
  /** The release the figures come from; null before the first one. */
  release: ReleaseRef | null;
  rows: FlowRow[];
  totals: { count: number; byPeriod: { period: string; count: number }[] };
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
