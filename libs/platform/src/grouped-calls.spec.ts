import { GroupedCalls } from './grouped-calls';

const tick = () => new Promise((r) => setImmediate(r));

describe('GroupedCalls', () => {
  it('runs one call alone, then groups what arrived while it was in flight', async () => {
    const runs: number[][] = [];
    const grouped = new GroupedCalls<number, number>(async (items) => {
      runs.push(items);
      await tick();
      return items.map((i) => i * 10);
    });
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => grouped.run(i)));
    expect(results).toEqual([10, 20, 30, 40, 50]);
    expect(runs).toEqual([[1], [2, 3, 4, 5]]);
    // Idle again: the next call runs at once, alone.
    expect(await grouped.run(6)).toBe(60);
    expect(runs[2]).toEqual([6]);
  });

  it('never runs two groups at once, and caps a group', async () => {
    let inFlight = 0;
    let most = 0;
    const sizes: number[] = [];
    const grouped = new GroupedCalls<number, number>(async (items) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      sizes.push(items.length);
      await tick();
      inFlight -= 1;
      return items;
    }, 4);
    const results = await Promise.all(Array.from({ length: 11 }, (_, i) => grouped.run(i)));
    expect(results).toEqual(Array.from({ length: 11 }, (_, i) => i));
    expect(most).toBe(1);
    expect(sizes).toEqual([1, 4, 4, 2]);
  });

  it('when a group fails, tries each item alone: only the bad one fails', async () => {
    const grouped = new GroupedCalls<string, string>(async (items) => {
      await tick();
      if (items.includes('bad')) throw new Error('refused');
      return items.map((i) => i.toUpperCase());
    });
    const outcomes = await Promise.allSettled(['a', 'b', 'bad', 'c'].map((i) => grouped.run(i)));
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 'A' },
      { status: 'fulfilled', value: 'B' },
      { status: 'rejected', reason: new Error('refused') },
      { status: 'fulfilled', value: 'C' },
    ]);
  });

  it('a caller that joins a group in flight waits for the next run, which starts after it asked', async () => {
    let version = 0;
    const grouped = new GroupedCalls<string, number>(async (items) => {
      const seen = version;
      await tick();
      return items.map(() => seen);
    });
    const first = grouped.run('x');
    version = 1; // a change committed after the first run started, before the second call
    const second = grouped.run('y');
    expect(await first).toBe(0);
    expect(await second).toBe(1);
  });
});
