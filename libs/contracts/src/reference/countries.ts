import countries from 'i18n-iso-countries';
import en from 'i18n-iso-countries/langs/en.json';
import { COUNTRY_CODES, STATELESS, UNKNOWN_COUNTRY } from './codes';

// i18n-iso-countries: ISO 3166-1 alpha-2 ↔ alpha-3, kept up to date by its maintainers. Names
// come from the Unicode CLDR short names that Node's ICU carries (Intl.DisplayNames: "Iran",
// "Китай"), which read better in tables than the package's official ones ("Islamic Republic of Iran").
countries.registerLocale(en);

/** The languages labels and messages come in. */
export const LANGUAGES = ['en', 'ru'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Codes that are not countries, as ICAO Doc 9303 writes them in alpha-3 (XXA stateless person,
 * XXX nationality unspecified). */
const SPECIAL: Record<string, { alpha3: string; en: string; ru: string }> = {
  [STATELESS]: { alpha3: 'XXA', en: 'Stateless', ru: 'Лицо без гражданства' },
  [UNKNOWN_COUNTRY]: { alpha3: 'XXX', en: 'Unknown', ru: 'Неизвестно' },
};

/** ISO 3166-1 alpha-3 of one of COUNTRY_CODES (XX → XXA, ZZ → XXX); throws for any other code. */
export function alpha3Of(alpha2: string): string {
  const code = SPECIAL[alpha2]?.alpha3 ?? countries.alpha2ToAlpha3(alpha2);
  if (!code) throw new Error(`no ISO 3166-1 alpha-3 code for "${alpha2}"`);
  return code;
}

const displayNames: Record<Language, Intl.DisplayNames> = {
  en: new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' }),
  ru: new Intl.DisplayNames(['ru'], { type: 'region', fallback: 'none' }),
};

/** The country's short name in `language` (CLDR), or the special code's label. */
export function countryName(alpha2: string, language: Language): string {
  const name = SPECIAL[alpha2]?.[language] ?? (countries.isValid(alpha2) ? displayNames[language].of(alpha2) : undefined);
  if (!name) throw new Error(`no ${language} name for "${alpha2}"`);
  return name;
}

/** Every code of COUNTRY_CODES with its alpha-3 and names, for /v1/reference and the code lists. */
export function countryTable(): { code: string; alpha3: string; labels: Record<Language, string> }[] {
  return COUNTRY_CODES.map((code) => ({ code, alpha3: alpha3Of(code), labels: { en: countryName(code, 'en'), ru: countryName(code, 'ru') } }));
}
