import { MOVEMENT_RECORDED, MOVEMENT_RETRACTED } from './events';

/**
 * Upcasting on read (docs/events.md, "Versioning"): the aggregator keeps every event as it was
 * published, with its `schema_version`, and turns an old version's `data` into the current shape
 * only when it reads it (projecting, looking up a retracted movement). `UPCASTERS[type][v]` turns
 * version v's data into version v+1's; every version below the newest of MOVEMENT_SCHEMAS must
 * have one (upcast.spec.ts holds the two tables together).
 */
export type Upcaster = (data: unknown) => unknown;

const same: Upcaster = (data) => data;

export const MOVEMENT_UPCASTERS: Record<string, Record<number, Upcaster>> = {
  // Version 2 changed the signature (batch instead of one by one), not the data.
  [MOVEMENT_RECORDED]: { 1: same },
  [MOVEMENT_RETRACTED]: { 1: same },
};

/** `data` of `type` at `version`, in the shape of version `to`. */
export function upcastData<T>(upcasters: Record<string, Record<number, Upcaster>>, type: string, version: number, data: unknown, to: number): T {
  let out = data;
  for (let v = version; v < to; v++) {
    const step = upcasters[type]?.[v];
    if (!step) throw new Error(`no upcaster for ${type} version ${v}`);
    out = step(out);
  }
  return out as T;
}
