import { FACT_FIELDS, FactField, FlowDimension, MOVEMENT_DIMENSIONS } from '../answers/movement-dimensions';

/** The column of each field of the flow projection (flow_counts, released_flow_counts): the one
 * place that says it; every statement over these tables derives its columns from here. */
export const FLOW_COLUMN: Readonly<Record<FactField, string>> = {
  day: 'day',
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

/** The projection's key columns, in FACT_FIELDS order. */
export const FLOW_COLUMNS: readonly string[] = FACT_FIELDS.map((f) => FLOW_COLUMN[f]);

/** A route's three columns, in the order of its text `departedFrom>provider>intendedDestination`. */
const ROUTE_COLUMNS = [FLOW_COLUMN.departedFrom, FLOW_COLUMN.provider, FLOW_COLUMN.intendedDestination] as const;

/** A cell's route, `departedFrom>provider>intendedDestination`, over the projection's columns. */
export const ROUTE_SQL = ROUTE_COLUMNS.join(` || '>' || `);

/** The columns of each flow dimension (a route is three; its value is their text joined by '>'); only these strings ever reach the SQL text. */
export const DIMENSION_COLUMNS: Readonly<Record<FlowDimension, readonly string[]>> = {
  route: ROUTE_COLUMNS,
  ...(Object.fromEntries(MOVEMENT_DIMENSIONS.map((d) => [d, [FLOW_COLUMN[d]]])) as Record<(typeof MOVEMENT_DIMENSIONS)[number], string[]>),
};
