import { aboutEntryView, AgreementParties, ownEntryView, partyTo } from './audit-view';

describe('what a reader may see of the audit trail', () => {
  const registry = new Map<string, AgreementParties>([
    ['g-ir-sec', { provider: 'IR', recipient: 'secretariat' }],
    ['g-af-any', { provider: 'AF', recipient: '*' }],
    ['g-pk-unhcr', { provider: 'PK', recipient: 'org:UNHCR' }],
  ]);
  const term = (provider: string, agreement: string) => ({
    provider,
    agreement,
    minCellSize: 5,
    minTimeGranularity: 'month',
    embargoUntil: null,
    categories: null,
  });
  const entry = {
    id: 7,
    at: '2026-06-15T10:17:42.123Z',
    principal: 'secretariat',
    endpoint: 'GET /v1/flows',
    query: { from: '2026-03-01', providers: ['IR', 'PK'] },
    purpose: 'bulletin',
    agreements: [term('IR', 'g-ir-sec'), term('AF', 'g-af-any'), term('PK', 'g-pk-unhcr'), term('TM', 'g-unknown')],
    providers: ['AF', 'IR', 'PK', 'TM'],
    cellsReturned: 12,
    excluded: [
      { provider: 'PK', agreement: 'g-pk-unhcr', reason: 'the agreement does not allow route' },
      { provider: 'IR', agreement: 'g-ir-sec', reason: 'x' },
    ],
  };

  it('counts as party the providing state, the named recipient and anyone for `*`; own data only for the state itself', () => {
    const secretariat = { principal: 'secretariat', state: null };
    const pakistan = { principal: 'state:PK', state: 'PK' };
    expect(partyTo(secretariat, { provider: 'IR', agreement: 'g-ir-sec' }, registry)).toBe(true);
    expect(partyTo(secretariat, { provider: 'AF', agreement: 'g-af-any' }, registry)).toBe(true);
    expect(partyTo(secretariat, { provider: 'PK', agreement: 'g-pk-unhcr' }, registry)).toBe(false);
    expect(partyTo(pakistan, { provider: 'PK', agreement: 'g-pk-unhcr' }, registry)).toBe(true);
    expect(partyTo(pakistan, { provider: 'IR', agreement: 'g-ir-sec' }, registry)).toBe(false);
    expect(partyTo(pakistan, { provider: 'PK', agreement: 'own-data' }, registry)).toBe(true);
    expect(partyTo(pakistan, { provider: 'IR', agreement: 'own-data' }, registry)).toBe(false);
    expect(partyTo(secretariat, { provider: 'TM', agreement: 'g-unknown' }, registry)).toBe(false);
  });

  it("keeps in a caller's own entry only the agreements and exclusions it is party to, the rest as stored", () => {
    const view = ownEntryView(entry, { principal: 'secretariat', state: null }, registry);
    expect(view.agreements.map((a) => a.agreement)).toEqual(['g-ir-sec', 'g-af-any']);
    expect(view.excluded.map((x) => x.agreement)).toEqual(['g-ir-sec']);
    expect(view).toMatchObject({ id: 7, query: entry.query, cellsReturned: 12 });
  });

  it("reduces another caller's entry to when, who, where, why and the state's own agreement", () => {
    expect(aboutEntryView(entry, 'PK')).toEqual({
      id: 7,
      at: '2026-06-15T10:17:42.123Z',
      principal: 'secretariat',
      endpoint: 'GET /v1/flows',
      purpose: 'bulletin',
      agreements: [term('PK', 'g-pk-unhcr')],
      excluded: [{ provider: 'PK', agreement: 'g-pk-unhcr', reason: 'the agreement does not allow route' }],
    });
  });
});
