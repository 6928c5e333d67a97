import { referenceCatalogue } from './index';

const CYRILLIC = /[А-Яа-яЁё]/;

describe('GET /v1/reference: codes with their words', () => {
  const catalogue = referenceCatalogue();

  /** Each plain code list of the catalogue, under the name its labels have. */
  const lists: [keyof typeof catalogue.labels, readonly string[]][] = [
    ['countries', catalogue.providerStates],
    ['directions', catalogue.directions],
    ['categories', catalogue.categories],
    ['sexes', catalogue.sexes],
    ['ageBands', catalogue.ageBands],
    ['specificNeeds', catalogue.specificNeeds],
    ['referralPathways', catalogue.referralPathways],
    ['documentTypes', catalogue.documentTypes],
    ['countries', catalogue.countries.codes],
    ['borderCrossingPoints', catalogue.borderCrossingPoints.map((p) => p.code)],
    ['crossingPointStatuses', catalogue.borderCrossingPoints.map((p) => p.status)],
  ];

  it.each(lists)('labels every code it lists (%s)', (list, codes) => {
    for (const code of codes) {
      const label = catalogue.labels[list][code];
      expect({ code, en: !!label?.en, ru: CYRILLIC.test(label?.ru ?? '') }).toEqual({ code, en: true, ru: true });
    }
  });

  it('keeps the older fields and adds alpha-3 to every country', () => {
    expect(catalogue.countries.codes).toContain('AF');
    expect(catalogue.countries.standard).toBe('ISO 3166-1 alpha-2');
    expect(catalogue.countries.table).toHaveLength(catalogue.countries.codes.length);
    expect(catalogue.countries.table.find((c) => c.code === 'TM')).toEqual({ code: 'TM', alpha3: 'TKM', labels: { en: 'Turkmenistan', ru: 'Туркменистан' } });
    expect(catalogue.languages).toEqual(['en', 'ru']);
  });

  it('serialises to JSON without losing a label', () => {
    const round = JSON.parse(JSON.stringify(catalogue));
    expect(round.labels.categories.refugee).toEqual({ en: 'Refugee', ru: 'Беженец' });
    expect(Object.keys(round.labels)).toEqual(Object.keys(catalogue.labels));
  });
});
