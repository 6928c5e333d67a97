import type { MovementRecordedData } from '@caravanserai/contracts';
import { addKeys, negateKey } from '../../disclosure/domain/cell-key';
import { FACT_FIELDS, type FactField } from '../../answers/movement-dimensions';

export { FACT_FIELDS, type FactField };

/** One movement, reduced to the dimensions of the flow projection (answers/movement-dimensions.ts). */
export type FlowFact = Record<FactField, string>;

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
 * retracted, summed per cell, and the movement's record key added or taken back out of the cell's
 * key sum (mod 2^32). Applying the deltas of a batch equals applying its events one by one, in any
 * order (addition commutes), which is what lets a batch become one upsert.
 */
export class FlowDeltas {
  private readonly cells = new Map<string, { fact: FlowFact; delta: number; keyDelta: number }>();

  add(fact: FlowFact, delta: 1 | -1, recordKey: number): void {
    const cellKey = FACT_FIELDS.map((f) => fact[f]).join('|');
    const keyDelta = delta === 1 ? recordKey : negateKey(recordKey);
    const cell = this.cells.get(cellKey);
    if (cell) {
      cell.delta += delta;
      cell.keyDelta = addKeys(cell.keyDelta, keyDelta);
    } else this.cells.set(cellKey, { fact, delta, keyDelta });
  }

  /** Cells that change, sorted by key so that concurrent writers lock rows in the same order. */
  entries(): { fact: FlowFact; delta: number; keyDelta: number }[] {
    return [...this.cells.entries()]
      .filter(([, c]) => c.delta !== 0 || c.keyDelta !== 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, c]) => c);
  }

  get size(): number {
    return this.cells.size;
  }
}
