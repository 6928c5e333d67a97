import { arr, obj, Schema, str } from './schema-helpers';

/** Prometheus' text exposition format, as /metrics answers. */
export const METRICS_SCHEMA: Schema = str({ description: 'Prometheus text exposition format 0.0.4' });

/** GET /v1/reference: the code lists, each a list of codes (or, for countries and crossing points, their records). */
export const REFERENCE_SCHEMA: Schema = obj({
  providerStates: arr(str()),
  directions: arr(str()),
  categories: arr(str()),
  sexes: arr(str()),
  ageBands: arr(str()),
  specificNeeds: arr(str()),
  referralPathways: arr(str()),
  documentTypes: arr(str()),
  countries: { type: 'object' },
  borderCrossingPoints: arr({ type: 'object' }),
});
