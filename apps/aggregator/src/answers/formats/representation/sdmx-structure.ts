import {
  AGE_BANDS,
  alpha3Of,
  BORDER_CROSSING_POINTS,
  CATEGORIES,
  COUNTRY_CODES,
  DIRECTIONS,
  labelOf,
  Language,
  LABELS,
  REFERRAL_PATHWAYS,
  REFERRAL_STATUSES,
  SEXES,
  SPECIFIC_NEEDS,
} from '@caravanserai/contracts';
import type { Granularity } from '../../flow-answer';
import { Dataset, FLOW_MEASURES, REFERRAL_MEASURES } from './table';

/**
 * The SDMX side of the answers: the agency, the two dataflows, each dimension's concept id and
 * code list, and the code lists themselves with English and Russian names (labels from
 * libs/contracts reference/labels.ts). Codes are the answers' own wherever SDMX allows them
 * (ids match [A-Za-z0-9_@$-]+); countries are ISO 3166-1 alpha-3 (as UN SDMX area code lists
 * are; alpha-2 in each code's annotation), age bands are written the way SDMX's CL_AGE writes them
 * (Y0T4 … Y_GE60, _U unknown), and a route is the three alpha-3 codes joined by '-'.
 */
export const AGENCY = 'CARAVANSERAI';
export const DATAFLOWS: Record<Dataset, { id: string; version: string; en: string; ru: string }> = {
  flows: { id: 'DF_FLOWS', version: '1.0', en: 'Regional movements across borders', ru: 'Региональные перемещения через границы' },
  referrals: { id: 'DF_REFERRALS', version: '1.0', en: 'Regional referrals to protection pathways', ru: 'Региональные направления в компетентные органы' },
};
export const dataflowRef = (d: Dataset) => `${AGENCY}:${DATAFLOWS[d].id}(${DATAFLOWS[d].version})`;
export const dataflowUrn = (d: Dataset) => `urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow=${dataflowRef(d)}`;

type Name = { en: string; ru: string };
export interface Code {
  id: string;
  names: Name;
  /** For countries: the ISO 3166-1 alpha-2 code the API's JSON uses. */
  alpha2?: string;
}
export interface Codelist {
  id: string;
  agencyID: string;
  version: string;
  names: Name;
  /** SDMX's own cross-domain list, of which only the codes used here are served. */
  isPartial?: boolean;
  codes: Code[];
}

const AGE_CODES: Record<string, string> = { '0-4': 'Y0T4', '5-11': 'Y5T11', '12-17': 'Y12T17', '18-59': 'Y18T59', '60+': 'Y_GE60', unknown: '_U' };

const fromLabels = (list: keyof typeof LABELS, codes: readonly string[], id: (c: string) => string = (c) => c): Code[] =>
  codes.map((c) => ({ id: id(c), names: { en: labelOf(list, c, 'en'), ru: labelOf(list, c, 'ru') } }));

const own = (id: string, en: string, ru: string, codes: Code[]): Codelist => ({ id, agencyID: AGENCY, version: '1.0', names: { en, ru }, codes });
const sdmx = (id: string, en: string, ru: string, codes: Code[]): Codelist => ({
  id,
  agencyID: 'SDMX',
  version: '1.0',
  names: { en, ru },
  isPartial: true,
  codes,
});
const c = (id: string, en: string, ru: string): Code => ({ id, names: { en, ru } });

const MEASURE_NAMES: Record<string, Name> = {
  MOVEMENTS: { en: 'Movements across a border', ru: 'Пересечения границы' },
  REFERRALS: { en: 'Referrals made', ru: 'Направления' },
  ...Object.fromEntries(
    REFERRAL_STATUSES.map((s) => [
      `STATUS_${s.toUpperCase()}`,
      { en: `Now ${labelOf('referralStatuses', s, 'en').toLowerCase()}`, ru: `Сейчас: ${labelOf('referralStatuses', s, 'ru').toLowerCase()}` },
    ]),
  ),
  ACCEPTED_EVER: { en: 'Ever accepted', ru: 'Когда-либо приняты' },
  DECLINED_EVER: { en: 'Ever declined', ru: 'Когда-либо отклонены' },
  ACCEPTANCE_RATE: { en: 'Acceptance rate (accepted / answered)', ru: 'Доля принятых (принятые / отвеченные)' },
  HOURS_TO_ACCEPTANCE_MEDIAN: { en: 'Hours to acceptance, median', ru: 'Часов до принятия, медиана' },
  HOURS_TO_ACCEPTANCE_P90: { en: 'Hours to acceptance, 90th percentile', ru: 'Часов до принятия, 90-й процентиль' },
  REACHED_CLOSURE: { en: 'Reached closure', ru: 'Доведены до закрытия' },
  HOURS_TO_CLOSURE_MEDIAN: { en: 'Hours to closure, median', ru: 'Часов до закрытия, медиана' },
  HOURS_TO_CLOSURE_P90: { en: 'Hours to closure, 90th percentile', ru: 'Часов до закрытия, 90-й процентиль' },
  STALLED: { en: 'Stalled (unanswered past the threshold)', ru: 'Зависшие (без ответа дольше порога)' },
};

export const CODELISTS: Codelist[] = [
  own(
    'CL_COUNTRY',
    'Countries (ISO 3166-1 alpha-3)',
    'Страны (ISO 3166-1 alpha-3)',
    COUNTRY_CODES.map((a2) => ({ id: alpha3Of(a2), alpha2: a2, names: { en: labelOf('countries', a2, 'en'), ru: labelOf('countries', a2, 'ru') } })),
  ),
  own(
    'CL_BORDER_CROSSING_POINT',
    'Border crossing points',
    'Пункты пропуска',
    fromLabels(
      'borderCrossingPoints',
      BORDER_CROSSING_POINTS.map((p) => p.code),
    ),
  ),
  own('CL_DIRECTION', 'Direction of crossing', 'Направление пересечения', fromLabels('directions', DIRECTIONS)),
  own('CL_CATEGORY', 'Categories of persons', 'Категории лиц', fromLabels('categories', CATEGORIES)),
  own('CL_SEX', 'Sex', 'Пол', fromLabels('sexes', SEXES)),
  own(
    'CL_AGE_BAND',
    'Age groups',
    'Возрастные группы',
    fromLabels('ageBands', AGE_BANDS, (a) => AGE_CODES[a]),
  ),
  own('CL_REFERRAL_PATHWAY', 'Referral pathways', 'Куда направлено', fromLabels('referralPathways', REFERRAL_PATHWAYS)),
  own('CL_REFERRAL_STATUS', 'Referral statuses', 'Статусы направлений', fromLabels('referralStatuses', REFERRAL_STATUSES)),
  own('CL_SPECIFIC_NEED', 'Specific needs', 'Специфические нужды', [
    ...fromLabels('specificNeeds', SPECIFIC_NEEDS),
    c('none', 'No specific need', 'Без специфических нужд'),
  ]),
  own(
    'CL_MEASURE',
    'Measures',
    'Показатели',
    Object.entries(MEASURE_NAMES).map(([id, names]) => ({ id, names })),
  ),
  sdmx('CL_FREQ', 'Frequency', 'Периодичность', [
    c('A', 'Annual', 'Годовая'),
    c('M', 'Monthly', 'Месячная'),
    c('W', 'Weekly', 'Недельная'),
    c('D', 'Daily', 'Дневная'),
  ]),
  sdmx('CL_OBS_STATUS', 'Observation status', 'Статус наблюдения', [
    c('A', 'Normal value (exact)', 'Обычное значение (точное)'),
    c(
      'E',
      'Estimated value (published through the cell-key method: changed by up to 3 per protected state, a part below k as 0 or k)',
      'Оценочное значение (опубликовано методом ключей ячеек: изменено не более чем на 3 на каждое защищённое государство, часть меньше k — как 0 или k)',
    ),
    c('O', 'Missing value (nothing to compute)', 'Значение отсутствует (нечего вычислять)'),
    c('Q', 'Missing value; suppressed (withheld)', 'Значение отсутствует; скрыто'),
  ]),
  sdmx('CL_CONF_STATUS', 'Confidentiality status', 'Статус конфиденциальности', [
    c('F', 'Free (free for publication)', 'Свободное (может публиковаться)'),
    c(
      'C',
      'Confidential statistical information (withheld: no number is published)',
      'Конфиденциальная статистическая информация (скрыто: число не публикуется)',
    ),
  ]),
];
const byId = new Map(CODELISTS.map((l) => [l.id, l]));
const codesById = new Map(CODELISTS.map((l) => [l.id, new Map(l.codes.map((k) => [k.id, k]))]));
export const codelist = (id: string): Codelist | undefined => byId.get(id);

/** A dimension of the answers as SDMX names it, with its code list (none: not coded). */
export interface SdmxDimension {
  id: string;
  codelist: string | null;
  names: Name;
  /** The SDMX code of one of the answer's values. */
  code: (value: string) => string;
}

const same = (v: string) => v;
const country = (v: string) => alpha3Of(v);
const dimName = (key: string): Name => ({ en: labelOf('dimensions', key, 'en'), ru: labelOf('dimensions', key, 'ru') });

export const DIMENSIONS: Record<string, SdmxDimension> = {
  route: { id: 'ROUTE', codelist: null, names: dimName('route'), code: (v) => v.split('>').map(country).join('-') },
  provider: { id: 'PROVIDER', codelist: 'CL_COUNTRY', names: dimName('provider'), code: country },
  borderCrossingPoint: { id: 'BORDER_CROSSING_POINT', codelist: 'CL_BORDER_CROSSING_POINT', names: dimName('borderCrossingPoint'), code: same },
  direction: { id: 'DIRECTION', codelist: 'CL_DIRECTION', names: dimName('direction'), code: same },
  departedFrom: { id: 'DEPARTED_FROM', codelist: 'CL_COUNTRY', names: dimName('departedFrom'), code: country },
  intendedDestination: { id: 'INTENDED_DESTINATION', codelist: 'CL_COUNTRY', names: dimName('intendedDestination'), code: country },
  citizenship: { id: 'CITIZENSHIP', codelist: 'CL_COUNTRY', names: dimName('citizenship'), code: country },
  category: { id: 'CATEGORY', codelist: 'CL_CATEGORY', names: dimName('category'), code: same },
  sex: { id: 'SEX', codelist: 'CL_SEX', names: dimName('sex'), code: same },
  ageBand: { id: 'AGE', codelist: 'CL_AGE_BAND', names: dimName('ageBand'), code: (v) => AGE_CODES[v] ?? v },
  referredTo: { id: 'REFERRED_TO', codelist: 'CL_REFERRAL_PATHWAY', names: dimName('referredTo'), code: same },
  status: { id: 'REFERRAL_STATUS', codelist: 'CL_REFERRAL_STATUS', names: { en: 'Referral status', ru: 'Статус направления' }, code: same },
  needs: { id: 'SPECIFIC_NEED', codelist: 'CL_SPECIFIC_NEED', names: dimName('needs'), code: same },
};

export const FREQ: Record<Granularity, string> = { year: 'A', month: 'M', week: 'W', day: 'D' };

/** The name of a code in a code list, in `language` (the code itself when unknown). */
export function codeName(list: string | null, id: string, language: Language): string {
  const code = list ? codesById.get(list)?.get(id) : undefined;
  return code ? code.names[language] : id;
}

export const MEASURES_OF: Record<Dataset, readonly string[]> = { flows: FLOW_MEASURES, referrals: REFERRAL_MEASURES.map(([m]) => m) };
