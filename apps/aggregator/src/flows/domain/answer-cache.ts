/**
 * Answers kept by a key that names everything they depend on (for flows: the caller, the query,
 * the plan the agreements gave and the projection version), least recently used first out, up to
 * a total weight (rows). One computation per key at a time: callers asking for a key that is being
 * computed wait for that computation instead of starting their own. A failed computation is not
 * kept.
 */
export class AnswerCache<T> {
  private readonly entries = new Map<string, { value: Promise<T>; weight: number }>();
  private weight = 0;

  constructor(
    private readonly maxWeight: number,
    private readonly weigh: (value: T) => number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get totalWeight(): number {
    return this.weight;
  }

  async get(key: string, compute: () => Promise<T>): Promise<T> {
    if (this.maxWeight <= 0) return compute();
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value;
    }
    const entry = { value: compute(), weight: 0 };
    this.entries.set(key, entry);
    try {
      const value = await entry.value;
      if (this.entries.get(key) === entry) {
        entry.weight = Math.max(1, this.weigh(value));
        this.weight += entry.weight;
        this.evict();
      }
      return value;
    } catch (e) {
      if (this.entries.get(key) === entry) this.entries.delete(key);
      throw e;
    }
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.weight <= this.maxWeight) return;
      if (entry.weight === 0) continue; // still being computed
      this.entries.delete(key);
      this.weight -= entry.weight;
    }
  }
}
