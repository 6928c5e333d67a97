/**
 * Groups calls that arrive while one is in flight: at most one `run` of `work` at a time, and
 * the items that came in meanwhile go together in the next one (up to `maxGroup`). Each caller
 * gets its own item's result, from a run that started after the call was made, so a reader sees
 * whatever was committed before it asked, and a writer's promise resolves only once its own item
 * is written.
 *
 * Under load this turns N concurrent round trips (and N commits, for writes) into a few; alone, a
 * call costs what it did. When a group fails and holds more than one item, each item is tried
 * alone, so one item the database refuses fails only its own caller.
 */
export class GroupedCalls<I, O> {
  private waiting: { item: I; done: (o: O) => void; failed: (e: unknown) => void }[] = [];
  private running = false;

  constructor(
    private readonly work: (items: I[]) => Promise<O[]>,
    private readonly maxGroup = 500,
  ) {}

  run(item: I): Promise<O> {
    return new Promise<O>((done, failed) => {
      this.waiting.push({ item, done, failed });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0, this.maxGroup);
        try {
          const results = await this.work(group.map((w) => w.item));
          group.forEach((w, i) => w.done(results[i]));
        } catch (e) {
          if (group.length === 1) group[0].failed(e);
          else await Promise.all(group.map((w) => this.work([w.item]).then((r) => w.done(r[0]), w.failed)));
        }
      }
    } finally {
      this.running = false;
    }
  }
}
