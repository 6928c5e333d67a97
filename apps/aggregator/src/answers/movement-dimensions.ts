import type { ShareableDimension } from '@caravanserai/contracts';

/**
 * What a movement is counted by in the flow projection — the one list of the movement
 * dimensions. A flow query may also group by the route (made of three of them), and the
 * projection also keeps the day: FLOW_DIMENSIONS and FACT_FIELDS below are derived from this list,
 * and the SQL column of each is said once, in flows/infrastructure/flow-columns.ts.
 */
export const MOVEMENT_DIMENSIONS = [
  'provider',
  'borderCrossingPoint',
  'direction',
  'departedFrom',
  'intendedDestination',
  'citizenship',
  'category',
  'sex',
  'ageBand',
] as const satisfies readonly ShareableDimension[];
export type MovementDimension = (typeof MOVEMENT_DIMENSIONS)[number];

/** The dimensions a flow query may group by or filter on. */
export const FLOW_DIMENSIONS = ['route', ...MOVEMENT_DIMENSIONS] as const satisfies readonly ShareableDimension[];
export type FlowDimension = (typeof FLOW_DIMENSIONS)[number];

/** The fields of a cell of the flow projection, in its key's order. */
export const FACT_FIELDS = ['day', ...MOVEMENT_DIMENSIONS] as const;
export type FactField = (typeof FACT_FIELDS)[number];
