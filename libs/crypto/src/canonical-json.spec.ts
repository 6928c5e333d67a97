import fc from 'fast-check';
import { canonicalJson, referenceCanonicalJson } from './canonical-json';

/** Vectors from RFC 8785 itself (sections 3.2.2 and 3.2.3), parsed from the RFC's JSON text. */
describe('canonicalJson (RFC 8785)', () => {
  it('serialises numbers, strings and literals as section 3.2.2 shows', () => {
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    expect(canonicalJson(JSON.parse(input))).toBe(
      String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
    );
  });

  it('sorts members by UTF-16 code units, as section 3.2.3 shows', () => {
    const input = String.raw`{
      "\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis"
    }`;
    expect(canonicalJson(JSON.parse(input))).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('does not depend on member order or whitespace, and nests', () => {
    expect(canonicalJson(JSON.parse('{ "b": [ {"y":1,"x":2} ], "a": null }'))).toBe('{"a":null,"b":[{"x":2,"y":1}]}');
  });

  it('refuses what has no JSON form', () => {
    expect(() => canonicalJson(NaN)).toThrow(/NaN/);
    expect(() => canonicalJson(undefined)).toThrow(/no JSON form/);
  });

  it('gives the reference implementation’s text, or its error, for any value', () => {
    const outcome = (f: () => string) => {
      try {
        return { text: f() };
      } catch (e) {
        return { error: (e as Error).message };
      }
    };
    const same = (v: unknown) => expect(outcome(() => canonicalJson(v))).toEqual(outcome(() => referenceCanonicalJson(v)));
    fc.assert(fc.property(fc.jsonValue(), same), { numRuns: 2000 });
    const anything = fc.anything({
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSparseArray: true,
      withNullPrototype: true,
      withObjectString: true,
    });
    fc.assert(fc.property(anything, same), { numRuns: 2000 });
    // What the fast path leaves to the reference, each met at least once.
    const edgy: unknown[] = [
      { 10: 'a', 9: 'b', x: 1 },
      JSON.parse('{"__proto__": 1, "a": 2}'),
      [1, , 2], // eslint-disable-line no-sparse-arrays
      { f: () => 1 },
      [() => 1],
      { n: Infinity },
      { toJSON: () => undefined },
      [{ toJSON: () => undefined }],
      { d: new Date(0), nested: { toJSON: () => ({ b: 1, a: [2] }) } },
      new Number(1),
      { u: undefined, s: Symbol('s'), a: [undefined, Symbol('t')] },
      '\ud800',
      { big: 1n },
    ];
    for (const v of edgy) same(v);
  });
});
