import { EVENT_KINDS, GEO_GRANULARITIES, SHAREABLE_DIMENSIONS, TIME_GRANULARITIES } from '../agreements';
import { RETRACTION_REASONS } from '../events';
import { CLOSURE_OUTCOMES, DECLINE_REASONS, REFERRAL_STATUSES } from '../referrals';
import { BORDER_CROSSING_POINTS, CrossingMode, CrossingStatus } from './border-crossing-points';
import { AGE_BANDS, CATEGORIES, COUNTRY_CODES, DIRECTIONS, DOCUMENT_TYPES, REFERRAL_PATHWAYS, SEXES, SPECIFIC_NEEDS } from './codes';
import { countryName, Language } from './countries';

/**
 * Words, not codes: an English and a Russian label for every code the services publish, for
 * `/v1/reference`, the console and the exports. The Russian follows the terms the region's states
 * use in the Almaty Process (shared/seed: «беженцы», «лица, ищущие убежища», «профилирование и
 * направление в компетентные органы», «лица со специфическими нуждами») and the Russian texts of
 * the UN instruments (the Palermo protocols: «торговля людьми», «незаконный ввоз мигрантов»).
 *
 * Lists whose codes are tuples of the contract are typed against them (`Record<Code, Label>`), so
 * a new code without a label does not compile; the aggregator's own lists (dimensions, alert
 * scopes, …) are spelt here and checked against the aggregator's tuples by its tests.
 */
export interface Label {
  en: string;
  ru: string;
}

type Labels<C extends string> = Record<C, Label>;
const l = (en: string, ru: string): Label => ({ en, ru });

const categories: Labels<(typeof CATEGORIES)[number]> = {
  refugee: l('Refugee', 'Беженец'),
  asylum_seeker: l('Asylum seeker', 'Лицо, ищущее убежища'),
  labour_migrant: l('Labour migrant', 'Трудовой мигрант'),
  irregular_migrant: l('Irregular migrant', 'Мигрант с неурегулированным статусом'),
  smuggled_migrant: l('Smuggled migrant', 'Незаконно ввезённый мигрант'),
  victim_of_trafficking: l('Victim of trafficking', 'Жертва торговли людьми'),
  unaccompanied_child: l('Unaccompanied child', 'Несопровождаемый ребёнок'),
  separated_child: l('Separated child', 'Разлучённый ребёнок'),
  stateless: l('Stateless person', 'Лицо без гражданства'),
  returnee: l('Returnee', 'Возвращающееся лицо'),
  other: l('Other', 'Другое'),
};

const specificNeeds: Labels<(typeof SPECIFIC_NEEDS)[number]> = {
  unaccompanied_or_separated_child: l('Unaccompanied or separated child', 'Несопровождаемый или разлучённый ребёнок'),
  child_at_risk: l('Child at risk', 'Ребёнок в группе риска'),
  woman_at_risk: l('Woman at risk', 'Женщина в группе риска'),
  older_person_at_risk: l('Older person at risk', 'Пожилой человек в группе риска'),
  single_parent: l('Single parent', 'Одинокий родитель'),
  disability: l('Disability', 'Инвалидность'),
  serious_medical_condition: l('Serious medical condition', 'Серьёзное заболевание'),
  pregnant_or_lactating: l('Pregnant or lactating', 'Беременность или кормление грудью'),
  survivor_of_violence_or_torture: l('Survivor of violence or torture', 'Пострадавший от насилия или пыток'),
  gbv_survivor: l('Survivor of gender-based violence', 'Пострадавший от гендерного насилия'),
  trafficking_indicators: l('Indicators of trafficking', 'Признаки торговли людьми'),
  legal_protection_need: l('Legal and physical protection need', 'Потребность в правовой защите'),
};

const referralPathways: Labels<(typeof REFERRAL_PATHWAYS)[number]> = {
  asylum_authority: l('Asylum authority', 'Орган по вопросам убежища'),
  child_protection: l('Child protection', 'Защита детей'),
  anti_trafficking: l('Counter-trafficking', 'Противодействие торговле людьми'),
  medical: l('Medical care', 'Медицинская помощь'),
  psychosocial: l('Psychosocial support', 'Психосоциальная помощь'),
  legal_aid: l('Legal aid', 'Юридическая помощь'),
  shelter: l('Shelter', 'Приют'),
  unhcr: l('UNHCR', 'УВКБ ООН'),
  iom: l('IOM', 'МОМ'),
  return_assistance: l('Return assistance', 'Помощь в возвращении'),
};

const directions: Labels<(typeof DIRECTIONS)[number]> = { entry: l('Entry', 'Въезд'), exit: l('Exit', 'Выезд') };

const sexes: Labels<(typeof SEXES)[number]> = {
  female: l('Female', 'Женский'),
  male: l('Male', 'Мужской'),
  other: l('Other', 'Другой'),
  unknown: l('Unknown', 'Неизвестно'),
};

const ageBands: Labels<(typeof AGE_BANDS)[number]> = {
  '0-4': l('0–4 years', '0–4 года'),
  '5-11': l('5–11 years', '5–11 лет'),
  '12-17': l('12–17 years', '12–17 лет'),
  '18-59': l('18–59 years', '18–59 лет'),
  '60+': l('60 years and over', '60 лет и старше'),
  unknown: l('Age unknown', 'Возраст неизвестен'),
};

const documentTypes: Labels<(typeof DOCUMENT_TYPES)[number]> = {
  passport: l('Passport', 'Паспорт'),
  national_id: l('National identity card', 'Удостоверение личности'),
  travel_document: l('Travel document', 'Проездной документ'),
  refugee_card: l('Refugee card', 'Удостоверение беженца'),
  none: l('No document', 'Без документов'),
  other: l('Other document', 'Другой документ'),
};

const retractionReasons: Labels<(typeof RETRACTION_REASONS)[number]> = {
  wrong_record: l('Wrong record', 'Ошибочная запись'),
  duplicate_record: l('Duplicate record', 'Повторная запись'),
  data_entry_error: l('Data entry error', 'Ошибка ввода данных'),
};

const crossingPointStatuses: Labels<CrossingStatus> = {
  open: l('Open', 'Открыт'),
  closed: l('Closed', 'Закрыт'),
  restricted: l('Restricted', 'Ограниченный режим'),
  unknown: l('Unknown', 'Неизвестно'),
};

const crossingModes: Labels<CrossingMode> = {
  road: l('Road', 'Автомобильный'),
  rail: l('Rail', 'Железнодорожный'),
  'road+rail': l('Road and rail', 'Автомобильный и железнодорожный'),
};

const alertSeverities = {
  elevated: l('Elevated', 'Повышенный'),
  high: l('High', 'Высокий'),
  critical: l('Critical', 'Критический'),
};

const alertStatuses = { active: l('Active', 'Активно'), subsided: l('Subsided', 'Снято') };

const alertScopes = {
  route: l('Route', 'Маршрут'),
  borderCrossingPoint: l('Border crossing point', 'Пункт пропуска'),
  routeCategory: l('Route and category', 'Маршрут и категория'),
};

/** An agreement in force, revoked by its provider, or past its `validUntil`. */
const agreementStatuses = {
  active: l('In force', 'Действует'),
  revoked: l('Revoked', 'Отозвано'),
  expired: l('Expired', 'Истекло'),
};

const referralStatuses: Labels<(typeof REFERRAL_STATUSES)[number]> = {
  made: l('Made', 'Направлено'),
  acknowledged: l('Acknowledged', 'Получение подтверждено'),
  accepted: l('Accepted', 'Принято'),
  declined: l('Declined', 'Отклонено'),
  closed: l('Closed', 'Закрыто'),
};

const declineReasons: Labels<(typeof DECLINE_REASONS)[number]> = {
  not_eligible: l('Not eligible', 'Не отвечает критериям'),
  outside_mandate: l('Outside the mandate', 'Вне мандата'),
  no_capacity: l('No capacity', 'Нет возможности принять'),
  person_refused: l('The person refused', 'Лицо отказалось'),
  duplicate_referral: l('Duplicate referral', 'Повторное направление'),
  other: l('Other', 'Другое'),
};

const closureOutcomes: Labels<(typeof CLOSURE_OUTCOMES)[number]> = {
  services_provided: l('Services provided', 'Услуги оказаны'),
  transferred_onward: l('Referred onward', 'Направлено дальше'),
  person_moved_on: l('The person moved on', 'Лицо выбыло'),
  lost_contact: l('Contact lost', 'Связь утрачена'),
  withdrawn: l('Withdrawn', 'Отозвано'),
  other: l('Other', 'Другое'),
};

/** What `/v1/nodes` says of a node: healthy = an event within the last 24 hours. */
const nodeHealthStatuses = {
  healthy: l('Sending', 'Передаёт'),
  unhealthy: l('Silent for over a day', 'Молчит больше суток'),
  pooled: l('Data pooled', 'Данные объединены'),
  held: l('Held until its first agreement', 'Удерживаются до первого соглашения'),
};

const timeGranularities: Labels<(typeof TIME_GRANULARITIES)[number]> = {
  day: l('Day', 'День'),
  week: l('Week', 'Неделя'),
  month: l('Month', 'Месяц'),
  year: l('Year', 'Год'),
};

const geoGranularities: Labels<(typeof GEO_GRANULARITIES)[number]> = {
  border_crossing_point: l('Border crossing point', 'Пункт пропуска'),
  country: l('Country', 'Страна'),
};

const eventKinds: Labels<(typeof EVENT_KINDS)[number]> = { movements: l('Movements', 'Перемещения'), referrals: l('Referrals', 'Направления') };

/** The dimensions of flows and referral summaries (and of grants); `needs` is the referral summary's name for specific needs. */
const dimensions: Labels<(typeof SHAREABLE_DIMENSIONS)[number] | 'needs'> = {
  route: l('Route', 'Маршрут'),
  provider: l('Reporting state', 'Сообщающее государство'),
  borderCrossingPoint: l('Border crossing point', 'Пункт пропуска'),
  direction: l('Direction', 'Въезд или выезд'),
  departedFrom: l('Departed from', 'Откуда прибыл'),
  intendedDestination: l('Intended destination', 'Предполагаемое назначение'),
  citizenship: l('Citizenship', 'Гражданство'),
  category: l('Category', 'Категория'),
  sex: l('Sex', 'Пол'),
  ageBand: l('Age group', 'Возрастная группа'),
  specificNeeds: l('Specific needs', 'Специфические нужды'),
  needs: l('Specific needs', 'Специфические нужды'),
  referredTo: l('Referred to', 'Куда направлено'),
  status: l('Status', 'Статус'),
};

const releaseFrequencies = {
  off: l('No scheduled releases', 'Без плановых выпусков'),
  daily: l('Daily', 'Ежедневно'),
  weekly: l('Weekly', 'Еженедельно'),
  monthly: l('Monthly', 'Ежемесячно'),
};

const feedItemKinds = {
  'release.flows': l('Flows released', 'Выпуск данных о потоках'),
  'release.referrals': l('Referral summary released', 'Выпуск сводки направлений'),
  'alert.raised': l('Alert raised', 'Оповещение объявлено'),
  'alert.escalated': l('Alert escalated', 'Уровень оповещения повышен'),
  'alert.subsided': l('Alert subsided', 'Оповещение снято'),
  'agreement.granted': l('Agreement granted', 'Соглашение заключено'),
  'agreement.amended': l('Agreement amended', 'Соглашение изменено'),
  'agreement.revoked': l('Agreement revoked', 'Соглашение отозвано'),
  'agreement.expired': l('Agreement expired', 'Срок соглашения истёк'),
  'forecast.exceedance': l('Forecast above a planning figure or capacity', 'Прогноз выше планового показателя или вместимости'),
  'emergency.declared': l('Emergency declared', 'Объявлена чрезвычайная ситуация'),
  'emergency.activated': l('Emergency terms in effect', 'Вступили в силу условия на случай чрезвычайной ситуации'),
  'emergency.ended': l('Emergency ended', 'Чрезвычайная ситуация завершена'),
  'release.emergency-flows': l('Flows released under emergency terms', 'Выпуск данных о потоках на условиях чрезвычайной ситуации'),
};

/** The served forecast's models (docs/forecast.md) and the figures a forecast is compared with (docs/contingency.md). */
const forecastModels = {
  seasonal: l('Seasonal exponential smoothing', 'Сезонное экспоненциальное сглаживание'),
  'damped-trend': l('Exponential smoothing, damped trend', 'Экспоненциальное сглаживание с затухающим трендом'),
  naive: l('Last week (short history)', 'Последняя неделя (короткий ряд)'),
};

const scenarioFigures = {
  planningFigure: l('Planning figure', 'Плановый показатель'),
  capacity: l('Reception capacity', 'Вместимость мест приёма'),
};

/** Why the disclosure block left a state out or changed an answer; `{0}`, `{1}`… are filled with
 * the values the block gives (labelled in turn where they are codes). */
const disclosureReasons = {
  dimensions_not_allowed: l('the agreement does not allow {0}', 'соглашение не разрешает: {0}'),
  country_level_only: l(
    'the agreement allows country level only, not border crossing points',
    'соглашение разрешает только данные по странам, не по пунктам пропуска',
  ),
  granularity_too_fine: l(
    'the agreement allows {0} figures at the finest, coarser than the {1} asked',
    'соглашение разрешает шаг не мельче, чем «{0}», а запрошен «{1}»',
  ),
  granularity_raised: l('time granularity raised from {0} to {1} by {2} ({3})', 'шаг по времени увеличен с «{0}» до «{1}» по соглашению {2} ({3})'),
  period_widened: l('period widened to whole {0}s: {1} … {2}', 'период расширен до целых периодов («{0}»): {1} … {2}'),
};

function fromCountries(): Record<string, Label> {
  return Object.fromEntries(COUNTRY_CODES.map((c) => [c, l(countryName(c, 'en'), countryName(c, 'ru'))]));
}

function fromCrossingPoints(): Record<string, Label> {
  return Object.fromEntries(BORDER_CROSSING_POINTS.map((p) => [p.code, l(p.nameEn, p.nameRu)]));
}

const CATALOGUE = {
  categories,
  specificNeeds,
  referralPathways,
  directions,
  sexes,
  ageBands,
  documentTypes,
  retractionReasons,
  countries: fromCountries(),
  borderCrossingPoints: fromCrossingPoints(),
  crossingPointStatuses,
  crossingModes,
  alertSeverities,
  alertStatuses,
  alertScopes,
  agreementStatuses,
  referralStatuses,
  declineReasons,
  closureOutcomes,
  nodeHealthStatuses,
  timeGranularities,
  geoGranularities,
  eventKinds,
  dimensions,
  releaseFrequencies,
  feedItemKinds,
  forecastModels,
  scenarioFigures,
  disclosureReasons,
} satisfies Record<string, Record<string, Label>>;

export type ListName = keyof typeof CATALOGUE;
export const LABELS: Record<ListName, Record<string, Label>> = CATALOGUE;
export const LIST_NAMES = Object.keys(CATALOGUE) as ListName[];

/** The label of `code` in `language`; the code itself if the list has none (never throws, so a
 * page shows something for a code newer than its labels). `{0}`… in a label are filled from `args`. */
export function labelOf(list: ListName, code: string, language: Language, ...args: (string | number)[]): string {
  const entry = Object.hasOwn(LABELS[list], code) ? LABELS[list][code] : undefined;
  const text = entry ? entry[language] : list === 'countries' ? safeCountryName(code, language) : code;
  return args.length === 0 ? text : text.replace(/\{(\d)\}/g, (_, i: string) => String(args[Number(i)] ?? ''));
}

function safeCountryName(code: string, language: Language): string {
  try {
    return countryName(code, language);
  } catch {
    return code;
  }
}

/** The code and values of an English text made from one of `list`'s templates (the disclosure
 * block's reasons), or null: how a client turns the answer's words into the other language. */
export function readLabelled(list: ListName, english: string): { code: string; args: string[] } | null {
  for (const [code, label] of Object.entries(LABELS[list])) {
    const parts = label.en.split(/\{\d\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    const match = new RegExp(`^${parts.join('(.+?)')}$`).exec(english);
    if (match) return { code, args: match.slice(1) };
  }
  return null;
}
