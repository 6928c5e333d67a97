import type { DisclosureReport } from '../../disclosure/domain/disclosure-report';
import { answerEntry, listingEntry } from './audit-entry';
import { declaredPurpose } from './purpose';

describe('audit entries', () => {
  const disclosure: DisclosureReport = {
    principal: 'org:UNHCR',
    agreements: [{ provider: 'PK', agreement: 'g-pk', minCellSize: 3, minTimeGranularity: 'week', embargoUntil: null, categories: null }],
    leftOut: [{ provider: 'IR', agreement: 'g-ir', reason: 'the agreement does not allow route' }],
    coarsened: [],
    suppressed: { cells: 2, primary: 1, complementary: 1, totals: 1 },
  };
  const call = { principal: 'org:UNHCR', endpoint: 'GET /v1/flows', query: { from: '2026-03-01', providers: ['KZ'] }, purpose: 'planning' };

  it('takes the cells returned and suppressed and the states concerned from the disclosure block', () => {
    const entry = answerEntry(call, { rows: [{}, {}, {}, {}, {}], disclosure });
    expect(entry).toMatchObject({ cellsReturned: 3, cellsSuppressed: 2, totalsSuppressed: 1, purpose: 'planning' });
    // Drawn on (PK), withheld (IR) and asked about by name (KZ, which granted nothing).
    expect(entry.providers).toEqual(['IR', 'KZ', 'PK']);
    expect(entry.agreements).toEqual(disclosure.agreements);
    expect(entry.excluded).toEqual(disclosure.leftOut);
  });

  it('counts a listing by its items', () => {
    expect(listingEntry({ ...call, query: {} }, 4, ['TR', 'AF', 'TR'])).toMatchObject({ cellsReturned: 4, cellsSuppressed: 0, providers: ['AF', 'TR'], agreements: [] });
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
