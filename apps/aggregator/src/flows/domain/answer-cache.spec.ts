import { AnswerCache } from './answer-cache';

const deferred = <T>() => {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};

describe('AnswerCache', () => {
  it('computes a key once and answers later asks from the kept value', async () => {
    const cache = new AnswerCache<string[]>(100, (v) => v.length);
    let computed = 0;
    const compute = async () => (computed++, ['a', 'b']);
    expect(await cache.get('k', compute)).toEqual(['a', 'b']);
    expect(await cache.get('k', compute)).toEqual(['a', 'b']);
    expect(computed).toBe(1);
    expect(cache.totalWeight).toBe(2);
  });

  it('lets concurrent asks for the same key wait for one computation', async () => {
    const cache = new AnswerCache<number>(100, () => 1);
    const d = deferred<number>();
    let computed = 0;
    const compute = () => (computed++, d.promise);
    const asks = [cache.get('k', compute), cache.get('k', compute), cache.get('k', compute)];
    d.resolve(42);
    expect(await Promise.all(asks)).toEqual([42, 42, 42]);
    expect(computed).toBe(1);
  });

  it('keeps no failed computation: the next ask computes again', async () => {
    const cache = new AnswerCache<number>(100, () => 1);
    await expect(cache.get('k', () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(cache.size).toBe(0);
    expect(await cache.get('k', async () => 7)).toBe(7);
  });

  it('drops the least recently used answers when over its weight', async () => {
    const cache = new AnswerCache<number>(10, (v) => v);
    await cache.get('a', async () => 4);
    await cache.get('b', async () => 4);
    await cache.get('a', async () => -1); // a is now the most recently used
    await cache.get('c', async () => 4); // 12 > 10: b goes
    let recomputed = 0;
    await cache.get('a', async () => (recomputed++, 4));
    await cache.get('b', async () => (recomputed++, 4));
    expect(recomputed).toBe(1);
    expect(cache.totalWeight).toBeLessThanOrEqual(10);
  });

  it('keeps nothing when its weight is zero', async () => {
    const cache = new AnswerCache<number>(0, () => 1);
    let computed = 0;
    await cache.get('k', async () => ++computed);
    await cache.get('k', async () => ++computed);
    expect(computed).toBe(2);
    expect(cache.size).toBe(0);
  });
});
