import { MOVEMENT_SCHEMAS, newestVersion } from './envelope.schema';
import { MOVEMENT_UPCASTERS, upcastData } from './upcast';

describe('upcasting', () => {
  it('has an upcaster from every version of each movement event below the newest', () => {
    for (const [type, versions] of Object.entries(MOVEMENT_SCHEMAS)) {
      const newest = newestVersion(versions);
      for (let v = 1; v < newest; v++) expect({ type, v, upcaster: typeof MOVEMENT_UPCASTERS[type]?.[v] }).toEqual({ type, v, upcaster: 'function' });
    }
  });

  it('chains the steps, and fails on a missing one rather than pass old data on', () => {
    const chain = { T: { 1: (d: unknown) => ({ ...(d as object), b: 2 }), 2: (d: unknown) => ({ ...(d as object), c: 3 }) } };
    expect(upcastData(chain, 'T', 1, { a: 1 }, 3)).toEqual({ a: 1, b: 2, c: 3 });
    expect(upcastData(chain, 'T', 3, { a: 1 }, 3)).toEqual({ a: 1 });
    expect(() => upcastData(chain, 'T', 1, {}, 4)).toThrow(/no upcaster for T version 3/);
  });
});
