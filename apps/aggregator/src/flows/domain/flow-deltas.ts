import type { MovementRecordedData } from '@caravanserai/contracts';

/** One movement, reduced to the dimensions of the flow projection. */
export interface FlowFact {
  day: string;
  provider: string;
  borderCrossingPoint: string;
  direction: string;
  departedFrom: string;
  intendedDestination: string;
  citizenship: string;
  category: string;
  sex: string;
  ageBand: string;
}

export const FACT_FIELDS = [
  'day',
  'provider',
  'borderCrossingPoint',
  'direction',
  'departedFrom',
  'intendedDestination',
  'citizenship',
  'category',
  'sex',
  'ageBand',
] as const satisfies readonly (keyof FlowFact)[];
export type FactField = (typeof FACT_FIELDS)[number];

/** The country of a movement that did not say where it came from or where it is going. */
export const UNKNOWN_COUNTRY = 'ZZ';

export function factOf(provider: string, occurredOn: string, d: MovementRecordedData): FlowFact {
  return {
    day: occurredOn,
    provider,
    borderCrossingPoint: d.borderCrossingPoint,
    direction: d.direction,
    departedFrom: d.departedFrom ?? UNKNOWN_COUNTRY,
    intendedDestination: d.intendedDestination ?? UNKNOWN_COUNTRY,
    citizenship: d.citizenship,
    category: d.category,
    sex: d.sex,
    ageBand: d.ageBand,
  };
}

/**
 * The change a batch makes to the flow projection: +1 per movement recorded, -1 per movement
 * retracted, summed per cell. Applying the deltas of a batch equals applying its events one by
 * one, in any order (addition commutes), which is what lets a batch become one upsert.
 */
export class FlowDeltas {
  private readonly cells = new Map<string, { fact: FlowFact; delta: number }>();

  add(fact: FlowFact, delta: 1 | -1): void {
    const key = FACT_FIELDS.map((f) => fact[f]).join('|');
    const cell = this.cells.get(key);
    if (cell) cell.delta += delta;
    else this.cells.set(key, { fact, delta });
  }

  /** Non-zero cells, sorted by key so that concurrent writers lock rows in the same order. */
  entries(): { fact: FlowFact; delta: number }[] {
    return [...this.cells.entries()]
      .filter(([, c]) => c.delta !== 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, c]) => c);
  }

  get size(): number {
    return this.cells.size;
  }
}
