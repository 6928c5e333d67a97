import fc from 'fast-check';
import { Rollup, rollupFor, splitRange } from './rollup-split';

const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
const time = (day: string) => Date.parse(`${day}T00:00:00Z`);
/** The period a day belongs to, worked out independently of the code under test. */
const periodOf = (day: string, rollup: Rollup) => {
  const d = new Date(time(day));
  return rollup === 'month' ? day.slice(0, 7) : iso(time(day) - ((d.getUTCDay() + 6) % 7) * DAY);
};

describe('splitRange', () => {
  it('reads a range of whole months from the months alone', () => {
    expect(splitRange('2025-01-01', '2025-12-31', 'month')).toEqual({ whole: { first: '2025-01-01', last: '2025-12-31' }, edges: [] });
  });

  it('reads the days of a range that starts and ends mid month at either edge', () => {
    expect(splitRange('2025-01-15', '2025-04-10', 'month')).toEqual({
      whole: { first: '2025-02-01', last: '2025-03-31' },
      edges: [
        { first: '2025-01-15', last: '2025-01-31' },
        { first: '2025-04-01', last: '2025-04-10' },
      ],
    });
  });

  it('reads only days when no whole month fits (a cut starting mid month, ending in the next)', () => {
    expect(splitRange('2025-03-17', '2025-04-20', 'month')).toEqual({ whole: null, edges: [{ first: '2025-03-17', last: '2025-04-20' }] });
  });

  it('reads a one-day range as that day', () => {
    expect(splitRange('2025-06-30', '2025-06-30', 'month')).toEqual({ whole: null, edges: [{ first: '2025-06-30', last: '2025-06-30' }] });
    expect(splitRange('2025-06-30', '2025-06-30', 'week')).toEqual({ whole: null, edges: [{ first: '2025-06-30', last: '2025-06-30' }] });
  });

  it('reads nothing of an empty range (a cut that ends before the question starts)', () => {
    expect(splitRange('2025-03-01', '2025-02-28', 'month')).toEqual({ whole: null, edges: [] });
  });

  it('keeps week 1 of 2026 whole across the year end (Monday 29 December 2025 to Sunday 4 January 2026)', () => {
    expect(splitRange('2025-12-29', '2026-01-04', 'week')).toEqual({ whole: { first: '2025-12-29', last: '2026-01-04' }, edges: [] });
    expect(splitRange('2025-12-24', '2026-01-07', 'week')).toEqual({
      whole: { first: '2025-12-29', last: '2026-01-04' },
      edges: [
        { first: '2025-12-24', last: '2025-12-28' },
        { first: '2026-01-05', last: '2026-01-07' },
      ],
    });
    // A year is not whole weeks: 2025 starts on a Wednesday and ends on a Wednesday.
    expect(splitRange('2025-01-01', '2025-12-31', 'week')).toEqual({
      whole: { first: '2025-01-06', last: '2025-12-28' },
      edges: [
        { first: '2025-01-01', last: '2025-01-05' },
        { first: '2025-12-29', last: '2025-12-31' },
      ],
    });
  });

  it('counts a leap day in its February', () => {
    expect(splitRange('2024-02-01', '2024-02-29', 'month')).toEqual({ whole: { first: '2024-02-01', last: '2024-02-29' }, edges: [] });
    expect(splitRange('2024-02-01', '2024-02-28', 'month')).toEqual({ whole: null, edges: [{ first: '2024-02-01', last: '2024-02-28' }] });
    expect(splitRange('2024-01-10', '2024-03-01', 'month')).toEqual({
      whole: { first: '2024-02-01', last: '2024-02-29' },
      edges: [
        { first: '2024-01-10', last: '2024-01-31' },
        { first: '2024-03-01', last: '2024-03-01' },
      ],
    });
  });

  it('covers every day of any range exactly once, with whole periods only where they fit', () => {
    const day = fc.integer({ min: time('2023-11-01') / DAY, max: time('2026-02-28') / DAY }).map((n) => iso(n * DAY));
    fc.assert(
      fc.property(day, day, fc.constantFrom<Rollup>('week', 'month'), (a, b, rollup) => {
        const [first, last] = a <= b ? [a, b] : [b, a];
        const { whole, edges } = splitRange(first, last, rollup);
        const covered: string[] = [];
        for (const r of [...(whole ? [whole] : []), ...edges]) for (let t = time(r.first); t <= time(r.last); t += DAY) covered.push(iso(t));
        const expected: string[] = [];
        for (let t = time(first); t <= time(last); t += DAY) expected.push(iso(t));
        expect(covered.sort()).toEqual(expected);
        if (whole) {
          // Whole periods start at a period's first day and end at a period's last day.
          expect(periodOf(whole.first, rollup)).not.toBe(periodOf(iso(time(whole.first) - DAY), rollup));
          expect(periodOf(whole.last, rollup)).not.toBe(periodOf(iso(time(whole.last) + DAY), rollup));
        }
        // No edge holds a whole period of the range: its days' periods all reach outside the range.
        for (const e of edges)
          for (let t = time(e.first); t <= time(e.last); t += DAY) {
            const p = periodOf(iso(t), rollup);
            expect(periodOf(iso(time(first) - DAY), rollup) === p || periodOf(iso(time(last) + DAY), rollup) === p).toBe(true);
          }
      }),
    );
  });
});

describe('rollupFor', () => {
  it('sums weeks from weeks, months and years from months, days from days', () => {
    expect(['day', 'week', 'month', 'year'].map((g) => rollupFor(g as 'day'))).toEqual([null, 'week', 'month', 'month']);
  });
});
