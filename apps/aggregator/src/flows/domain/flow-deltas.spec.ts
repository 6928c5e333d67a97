import fc from 'fast-check';
import { FlowDeltas, FlowFact } from './flow-deltas';

const fact = (over: Partial<FlowFact> = {}): FlowFact => ({
  day: '2026-03-02',
  provider: 'IR',
  borderCrossingPoint: 'IR-DOGHAROUN',
  direction: 'entry',
  departedFrom: 'AF',
  intendedDestination: 'TR',
  citizenship: 'AF',
  category: 'refugee',
  sex: 'male',
  ageBand: '18-59',
  ...over,
});

const arbFact = fc.record({
  day: fc.constantFrom('2026-03-01', '2026-03-02'),
  provider: fc.constantFrom('IR', 'PK'),
  borderCrossingPoint: fc.constantFrom('IR-DOGHAROUN', 'PK-TORKHAM'),
  direction: fc.constantFrom('entry', 'exit'),
  departedFrom: fc.constantFrom('AF', 'ZZ'),
  intendedDestination: fc.constantFrom('TR', 'ZZ'),
  citizenship: fc.constantFrom('AF', 'XX'),
  category: fc.constantFrom('refugee', 'returnee'),
  sex: fc.constantFrom('male', 'female'),
  ageBand: fc.constantFrom('18-59', '0-4'),
});

const asObject = (d: FlowDeltas) => Object.fromEntries(d.entries().map((e) => [JSON.stringify(e.fact), [e.delta, e.keyDelta]]));

describe('FlowDeltas', () => {
  it('sums movements per cell and drops cells a retraction brought back to zero', () => {
    const d = new FlowDeltas();
    d.add(fact(), 1, 10);
    d.add(fact(), 1, 4_294_967_290);
    d.add(fact({ sex: 'female' }), 1, 5);
    d.add(fact({ sex: 'female' }), -1, 5);
    // Key sums wrap at 2^32, and a retraction takes its movement's key back out.
    expect(d.entries()).toEqual([{ fact: fact(), delta: 2, keyDelta: 4 }]);
  });

  it('gives the same deltas whatever the order of the events (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(arbFact, fc.constantFrom(1 as const, -1 as const), fc.nat()), { maxLength: 60 }), fc.nat(), (events, seed) => {
        const a = new FlowDeltas();
        events.forEach(([f, s, k]) => a.add(f, s, k));
        const shuffled = [...events].sort((x, y) => ((JSON.stringify(x).length * 31 + seed) % 7) - ((JSON.stringify(y).length * 31 + seed) % 7));
        const b = new FlowDeltas();
        shuffled.forEach(([f, s, k]) => b.add(f, s, k));
        expect(asObject(b)).toEqual(asObject(a));
      }),
    );
  });

  it('adds up, over two batches, to the deltas of one batch holding both (property)', () => {
    fc.assert(
      fc.property(fc.array(arbFact, { maxLength: 40 }), fc.array(arbFact, { maxLength: 40 }), (first, second) => {
        const whole = new FlowDeltas();
        [...first, ...second].forEach((f, i) => whole.add(f, 1, i));
        const sum: Record<string, number[]> = {};
        for (const [offset, part] of [[0, first] as const, [first.length, second] as const]) {
          const d = new FlowDeltas();
          part.forEach((f, i) => d.add(f, 1, offset + i));
          for (const [k, [n, key]] of Object.entries(asObject(d))) sum[k] = [(sum[k]?.[0] ?? 0) + n, (sum[k]?.[1] ?? 0) + key];
        }
        expect(sum).toEqual(asObject(whole));
      }),
    );
  });

  it('orders cells by key so that concurrent writers lock rows in the same order', () => {
    const d = new FlowDeltas();
    d.add(fact({ provider: 'PK' }), 1, 1);
    d.add(fact({ provider: 'AF' }), 1, 2);
    expect(d.entries().map((e) => e.fact.provider)).toEqual(['AF', 'PK']);
  });
});
