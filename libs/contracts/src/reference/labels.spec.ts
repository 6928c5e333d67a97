import { EVENT_KINDS, GEO_GRANULARITIES, SHAREABLE_DIMENSIONS, TIME_GRANULARITIES } from '../agreements';
import { RETRACTION_REASONS } from '../events';
import { CLOSURE_OUTCOMES, DECLINE_REASONS, REFERRAL_STATUSES } from '../referrals';
import { BORDER_CROSSING_POINTS } from './border-crossing-points';
import { AGE_BANDS, CATEGORIES, COUNTRY_CODES, DIRECTIONS, DOCUMENT_TYPES, REFERRAL_PATHWAYS, SEXES, SPECIFIC_NEEDS } from './codes';
import { LABELS, LIST_NAMES, ListName, labelOf } from './labels';

const CYRILLIC = /[А-Яа-яЁё]/;

/** The contract's own code lists: the labels must cover exactly these, so a code added to a tuple
 * without labels fails here (the aggregator's lists are checked by its own spec). */
const CODE_LISTS: Partial<Record<ListName, readonly string[]>> = {
  categories: CATEGORIES,
  specificNeeds: SPECIFIC_NEEDS,
  referralPathways: REFERRAL_PATHWAYS,
  directions: DIRECTIONS,
  sexes: SEXES,
  ageBands: AGE_BANDS,
  documentTypes: DOCUMENT_TYPES,
  retractionReasons: RETRACTION_REASONS,
  countries: COUNTRY_CODES,
  borderCrossingPoints: BORDER_CROSSING_POINTS.map((p) => p.code),
  crossingPointStatuses: [...new Set(BORDER_CROSSING_POINTS.map((p) => p.status))],
  crossingModes: [...new Set(BORDER_CROSSING_POINTS.map((p) => p.mode))],
  referralStatuses: REFERRAL_STATUSES,
  declineReasons: DECLINE_REASONS,
  closureOutcomes: CLOSURE_OUTCOMES,
  timeGranularities: TIME_GRANULARITIES,
  geoGranularities: GEO_GRANULARITIES,
  eventKinds: EVENT_KINDS,
  dimensions: [...SHAREABLE_DIMENSIONS, 'needs'],
};

describe('labels: a word in English and in Russian for every code', () => {
  it.each(Object.entries(CODE_LISTS))('labels every code of %s, in both languages', (list, codes) => {
    for (const code of codes!) {
      const en = labelOf(list as ListName, code, 'en');
      const ru = labelOf(list as ListName, code, 'ru');
      expect({ code, en: en.trim().length > 0 && en !== code, ru: CYRILLIC.test(ru) }).toEqual({ code, en: true, ru: true });
    }
  });

  it.each(LIST_NAMES)('has a non-empty English and a Cyrillic Russian label for each entry of %s', (list) => {
    const entries = Object.entries(LABELS[list]);
    expect(entries.length).toBeGreaterThan(0);
    for (const [code, label] of entries) {
      expect({ code, en: label.en.trim().length > 0, ru: CYRILLIC.test(label.ru) }).toEqual({ code, en: true, ru: true });
    }
  });

  it('labels no code the contract does not have', () => {
    for (const [list, codes] of Object.entries(CODE_LISTS)) {
      expect([list, Object.keys(LABELS[list as ListName]).sort()]).toEqual([list, [...new Set(codes!)].sort()]);
    }
  });

  it('uses the region terms and falls back to the code when there is no label', () => {
    expect(labelOf('categories', 'refugee', 'ru')).toBe('Беженец');
    expect(labelOf('categories', 'asylum_seeker', 'ru')).toBe('Лицо, ищущее убежища');
    expect(labelOf('countries', 'IR', 'ru')).toBe('Иран');
    expect(labelOf('borderCrossingPoints', 'KZ-DOSTYK', 'en')).toBe('Dostyk (Druzhba)');
    expect(labelOf('categories', 'not_a_code', 'en')).toBe('not_a_code');
    expect(labelOf('categories', 'constructor', 'ru')).toBe('constructor');
    expect(labelOf('disclosureReasons', 'granularity_too_fine', 'en', 'month', 'week')).toBe(
      'the agreement allows month figures at the finest, coarser than the week asked',
    );
  });
});
