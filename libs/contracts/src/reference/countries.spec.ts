import { COUNTRY_CODES } from './codes';
import { alpha3Of, countryName, countryTable } from './countries';

describe('countries: alpha-3 and names in both languages', () => {
  it('gives every accepted code a distinct alpha-3 code and a name in English and Russian', () => {
    const table = countryTable();
    expect(table).toHaveLength(COUNTRY_CODES.length);
    expect(new Set(table.map((c) => c.alpha3)).size).toBe(COUNTRY_CODES.length);
    for (const c of table) {
      expect(c.alpha3).toMatch(/^[A-Z]{3}$/);
      expect(c.labels.en.length).toBeGreaterThan(1);
      expect(c.labels.ru).toMatch(/[А-Яа-яЁё]/);
    }
  });

  it('maps the region and the special codes as ISO 3166-1 and ICAO write them', () => {
    expect(['AF', 'AZ', 'CN', 'IR', 'KZ', 'KG', 'PK', 'TR', 'TM'].map(alpha3Of)).toEqual(['AFG', 'AZE', 'CHN', 'IRN', 'KAZ', 'KGZ', 'PAK', 'TUR', 'TKM']);
    expect(alpha3Of('XX')).toBe('XXA');
    expect(alpha3Of('ZZ')).toBe('XXX');
    expect(countryName('IR', 'ru')).toBe('Иран');
    expect(countryName('AF', 'en')).toBe('Afghanistan');
  });

  it('refuses a code that is not one', () => {
    expect(() => alpha3Of('QQ')).toThrow('QQ');
  });
});
