import type { DisclosureReport } from '../../disclosure/domain/disclosure-report';
import { answerEntry, listingEntry } from './audit-entry';
import { declaredPurpose } from '../../answers/purpose';

describe('audit entries', () => {
  const disclosure: DisclosureReport = {
    principal: 'org:UNHCR',
    release: { id: 1, cutAt: '2026-04-01T02:00:00.000Z', dataUntil: '2026-03-31' },
    method: { name: 'cell-key', maxNoise: 3, exact: [], protected: [{ provider: 'PK', k: 3 }] },
    agreements: [{ provider: 'PK', agreement: 'g-pk', minCellSize: 3, minTimeGranularity: 'week', dataFrom: null, dataUntil: null, categories: null }],
    leftOut: [{ provider: 'IR', agreement: 'g-ir', reason: 'the agreement does not allow route' }],
    coarsened: [],
    notes: [],
  };
  const call = { principal: 'org:UNHCR', endpoint: 'GET /v1/flows', query: { from: '2026-03-01', providers: ['KZ'] }, purpose: 'planning' };

  it('takes the cells returned and the states concerned from the disclosure block (nothing is suppressed any more)', () => {
    const entry = answerEntry(call, { rows: [{}, {}, {}, {}, {}], disclosure });
    expect(entry).toMatchObject({ cellsReturned: 5, cellsSuppressed: 0, totalsSuppressed: 0, purpose: 'planning' });
    // Drawn on (PK), withheld (IR) and asked about by name (KZ, which granted nothing).
    expect(entry.providers).toEqual(['IR', 'KZ', 'PK']);
    expect(entry.agreements).toEqual([{ provider: 'PK', agreement: 'g-pk', minCellSize: 3, minTimeGranularity: 'week', embargoUntil: null, categories: null }]);
    expect(entry.excluded).toEqual(disclosure.leftOut);
  });

  it('counts a listing by its items', () => {
    expect(listingEntry({ ...call, query: {} }, 4, ['TR', 'AF', 'TR'])).toMatchObject({
      cellsReturned: 4,
      cellsSuppressed: 0,
      providers: ['AF', 'TR'],
      agreements: [],
    });
  });
});

describe('declared purpose', () => {
  it('takes the header or the parameter, trimmed', () => {
    expect(declaredPurpose(' monthly report ', undefined)).toBe('monthly report');
    expect(declaredPurpose(undefined, 'planning')).toBe('planning');
    expect(declaredPurpose('same', 'same')).toBe('same');
    expect(declaredPurpose(undefined, undefined)).toBeNull();
  });

  it.each([
    ['a control character', 'a\u0000b', undefined],
    ['a repeated parameter', undefined, ['a', 'b']],
    ['two different purposes', 'a', 'b'],
    ['an overlong purpose', 'x'.repeat(501), undefined],
  ])('refuses %s', (_what, header, param) => {
    expect(() => declaredPurpose(header, param)).toThrow(expect.objectContaining({ code: 'VALIDATION.FAILED' }));
  });
});
