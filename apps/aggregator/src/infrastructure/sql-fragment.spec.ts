import { sqlFragment } from './sql-fragment';

describe('sqlFragment', () => {
  const MAP = { route: `a || '>' || b`, sex: 'sex' };
  it('gives the constant SQL of a known key', () => expect(sqlFragment(MAP, 'route', 'dimension')).toBe(`a || '>' || b`));
  it.each([`sex"; DROP TABLE flow_counts; --`, '__proto__', 'toString', ''])('refuses %j rather than put it in a statement', (key) => {
    expect(() => sqlFragment(MAP, key, 'dimension')).toThrow('no SQL for dimension');
  });
});
