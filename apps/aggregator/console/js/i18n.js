// English and Russian strings of the console; the choice is kept in localStorage.
const STRINGS = {
  en: {
    title: 'Caravanserai — regional console',
    signOut: 'Sign out',
    signInTitle: 'Sign in',
    credentialLabel: 'Credential',
    signIn: 'Sign in',
    signInHint: 'The credential is kept for this browser tab only.',
    signInFailed: 'Sign-in refused: {0}',
    from: 'From',
    to: 'To',
    granularity: 'Granularity',
    day: 'day',
    week: 'week',
    month: 'month',
    category: 'Category',
    allCategories: 'all',
    provider: 'Reporting state',
    allStates: 'all',
    apply: 'Apply',
    periodShown: 'Shown: {0} … {1} by {2}',
    alerts: 'Active alerts',
    noAlerts: 'No active alert you may see.',
    map: 'Map of the region: crossing points and flows along the routes',
    sankey: 'Routes: origin → reporting state → intended destination',
    timeline: 'Flows over time by category',
    funnel: 'Referrals by pathway: made → accepted → closed',
    nodes: 'Node health',
    csv: 'CSV',
    credit: 'Outline: Natural Earth (public domain). Crossing points: shared/data (Wikipedia contributors, CC BY-SA 4.0; some © OpenStreetMap contributors, ODbL).',
    severity: 'Severity',
    where: 'Where',
    state: 'State',
    recentWeek: 'Last 7 days',
    usualWeek: 'Usual week',
    ratio: 'Ratio',
    window: 'Window',
    elevated: 'elevated',
    high: 'high',
    critical: 'critical',
    route: 'route',
    crossingPoint: 'crossing point',
    movements: 'movements',
    suppressed: 'suppressed',
    withheld: 'withheld',
    routesSuppressed: '{0} route(s) suppressed (fewer than k records, or needed to protect one): drawn dashed, not counted.',
    routesDrawn: '{0} routes; line width by movements. {1}',
    bcpVolumes: 'Crossing points sized by movements.',
    bcpNoVolumes: 'Crossing points shown without volumes: your agreements do not cover crossing-point data.',
    unknown: 'unknown',
    origin: 'from',
    via: 'via',
    dest: 'to',
    cellsSuppressed: '{0} cell(s) suppressed: shown as gaps, never as zero ({1}).',
    noSuppression: 'No cell suppressed.',
    made: 'made',
    accepted: 'accepted',
    closed: 'closed',
    medianToAcceptance: 'median hours to acceptance',
    medianToClosure: 'median hours to closure',
    funnelPeriod: 'Referrals made {0} … {1}. {2}',
    noReferrals: 'No referral you may see in this period.',
    lastEvent: 'Last event recorded',
    delay: 'Delay to projection',
    events: 'Events',
    lag: 'Consumer lag (all topics): {0}',
    nodesForbidden: 'Node health is for the secretariat and each state (its own node).',
    disclosure: 'Agreements applied: {0}. Left out: {1}.',
    none: 'none',
    loadFailed: 'Could not load: {0}',
    total: 'total',
  },
  ru: {
    title: 'Караван-сарай — региональная консоль',
    signOut: 'Выйти',
    signInTitle: 'Вход',
    credentialLabel: 'Учётные данные',
    signIn: 'Войти',
    signInHint: 'Учётные данные хранятся только в этой вкладке браузера.',
    signInFailed: 'Вход отклонён: {0}',
    from: 'С',
    to: 'По',
    granularity: 'Шаг',
    day: 'день',
    week: 'неделя',
    month: 'месяц',
    category: 'Категория',
    allCategories: 'все',
    provider: 'Сообщающее государство',
    allStates: 'все',
    apply: 'Применить',
    periodShown: 'Показано: {0} … {1}, шаг: {2}',
    alerts: 'Активные оповещения',
    noAlerts: 'Нет активных оповещений, доступных вам.',
    map: 'Карта региона: пункты пропуска и потоки по маршрутам',
    sankey: 'Маршруты: откуда → сообщающее государство → куда',
    timeline: 'Потоки во времени по категориям',
    funnel: 'Направления по путям: направлено → принято → закрыто',
    nodes: 'Состояние узлов',
    csv: 'CSV',
    credit: 'Контуры: Natural Earth (общественное достояние). Пункты пропуска: shared/data (участники Википедии, CC BY-SA 4.0; часть © участники OpenStreetMap, ODbL).',
    severity: 'Уровень',
    where: 'Где',
    state: 'Государство',
    recentWeek: 'Последние 7 дней',
    usualWeek: 'Обычная неделя',
    ratio: 'Отношение',
    window: 'Окно',
    elevated: 'повышенный',
    high: 'высокий',
    critical: 'критический',
    route: 'маршрут',
    crossingPoint: 'пункт пропуска',
    movements: 'перемещения',
    suppressed: 'скрыто',
    withheld: 'не раскрывается',
    routesSuppressed: 'Скрыто маршрутов: {0} (меньше k записей или для защиты другой ячейки): показаны пунктиром, не учтены.',
    routesDrawn: 'Маршрутов: {0}; толщина линии — число перемещений. {1}',
    bcpVolumes: 'Размер пункта пропуска — число перемещений.',
    bcpNoVolumes: 'Пункты пропуска показаны без объёмов: ваши соглашения не охватывают данные по пунктам пропуска.',
    unknown: 'неизвестно',
    origin: 'из',
    via: 'через',
    dest: 'в',
    cellsSuppressed: 'Скрыто ячеек: {0} — показаны пропусками, а не нулём ({1}).',
    noSuppression: 'Скрытых ячеек нет.',
    made: 'направлено',
    accepted: 'принято',
    closed: 'закрыто',
    medianToAcceptance: 'медиана часов до принятия',
    medianToClosure: 'медиана часов до закрытия',
    funnelPeriod: 'Направления за {0} … {1}. {2}',
    noReferrals: 'За этот период нет направлений, доступных вам.',
    lastEvent: 'Последнее событие',
    delay: 'Задержка до проекции',
    events: 'События',
    lag: 'Отставание потребителя (все темы): {0}',
    nodesForbidden: 'Состояние узлов доступно секретариату и каждому государству (своему узлу).',
    disclosure: 'Применённые соглашения: {0}. Не включены: {1}.',
    none: 'нет',
    loadFailed: 'Не удалось загрузить: {0}',
    total: 'всего',
  },
};

const KEY = 'caravanserai.lang';
let lang = STRINGS[localStorage.getItem(KEY)] ? localStorage.getItem(KEY) : 'en';

export const currentLang = () => lang;

export function setLang(next) {
  if (!STRINGS[next]) return;
  lang = next;
  localStorage.setItem(KEY, next);
  applyStatic();
}

/** A string of the current language, with {0}, {1}... filled in. */
export function t(key, ...args) {
  const s = STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
  return s.replace(/\{(\d)\}/g, (_, i) => String(args[Number(i)] ?? ''));
}

export function fmt(n) {
  return n === null || n === undefined ? '' : Number(n).toLocaleString(lang === 'ru' ? 'ru-RU' : 'en-GB');
}

/** Fills every element marked data-i18n, and marks the active language button. */
export function applyStatic() {
  document.documentElement.lang = lang;
  document.title = t('title');
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const b of document.querySelectorAll('[data-lang]')) b.classList.toggle('active', b.dataset.lang === lang);
}
