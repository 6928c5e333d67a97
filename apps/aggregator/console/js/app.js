import { ApiError, forgetCredential, getJson, loadCredential, saveCredential } from './api.js';
import { download } from './csv.js';
import { categorySeries, pointTotals, routeTotals } from './flows.js';
import { renderFunnel } from './funnel.js';
import { applyStatic, currentLang, setLang, t } from './i18n.js';
import { ensureRegionMap, renderMap } from './map.js';
import { renderSankey } from './sankey.js';
import { renderAlerts, renderNodes } from './tables.js';
import { renderTimeline } from './timeline.js';

const $ = (id) => document.getElementById(id);
let credential = null;
let reference = null;
let data = null;

const iso = (d) => d.toISOString().slice(0, 10);

/** Filters from the page's query string (?from=&to=&granularity=&category=&provider=), else the
 * last ten weeks by week. */
function initialFilters() {
  const q = new URLSearchParams(window.location.search);
  const today = new Date();
  return {
    from: q.get('from') ?? iso(new Date(today.getTime() - 69 * 86_400_000)),
    to: q.get('to') ?? iso(today),
    granularity: q.get('granularity') ?? 'week',
    category: q.get('category') ?? '',
    provider: q.get('provider') ?? '',
  };
}

function readFilters() {
  const f = new FormData($('filters'));
  return Object.fromEntries(['from', 'to', 'granularity', 'category', 'provider'].map((k) => [k, String(f.get(k) ?? '')]));
}

function writeFilters(f) {
  const form = $('filters');
  for (const [k, v] of Object.entries(f)) form.elements[k].value = v;
}

function fillSelect(select, values) {
  for (const v of values) {
    const o = document.createElement('option');
    o.value = v;
    o.textContent = v;
    select.appendChild(o);
  }
}

async function load() {
  const f = readFilters();
  const base = `from=${f.from}&to=${f.to}&granularity=${f.granularity}${f.category ? `&categories=${f.category}` : ''}${f.provider ? `&providers=${f.provider}` : ''}`;
  const flows = (groupBy) => getJson(`/v1/flows?${base}&groupBy=${groupBy}`, credential);
  const optional = (p) => p.catch((e) => (e instanceof ApiError && e.status === 403 ? null : Promise.reject(e)));
  $('load-error').classList.add('hidden');
  try {
    const [byRoute, byPoint, byCategory, alerts, referrals, nodes] = await Promise.all([
      flows('route'),
      flows('borderCrossingPoint'),
      flows('category'),
      getJson('/v1/alerts', credential),
      getJson(`/v1/referrals/summary?from=${f.from}&to=${f.to}&granularity=year&groupBy=referredTo${f.provider ? `&providers=${f.provider}` : ''}`, credential),
      optional(getJson('/v1/nodes', credential)),
    ]);
    data = { f, byRoute, byPoint, byCategory, alerts, referrals, nodes };
    render();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return signOut(e.message);
    $('load-error').textContent = t('loadFailed', e.message);
    $('load-error').classList.remove('hidden');
  }
}

function render() {
  if (!data) return;
  const { byRoute, byPoint, byCategory, alerts, referrals, nodes } = data;
  $('who').textContent = alerts.principal;
  $('period').textContent = t('periodShown', byRoute.from, byRoute.to, t(byRoute.granularity));
  renderAlerts($('alerts'), $('alerts-empty'), alerts.alerts);

  const routes = routeTotals(byRoute);
  const pointsAllowed = byPoint.disclosure.leftOut.length === 0 && byPoint.disclosure.agreements.length > 0;
  renderMap($('map'), { routes, points: pointTotals(byPoint), pointsAllowed, crossingPoints: reference.borderCrossingPoints, lang: currentLang() });
  const hidden = routes.filter((r) => r.shownCells === 0).length;
  $('map-note').textContent = t('routesDrawn', routes.length, pointsAllowed ? t('bcpVolumes') : t('bcpNoVolumes'));
  const leftOutOfSankey = renderSankey($('sankey'), routes);
  $('sankey-note').textContent = hidden || leftOutOfSankey ? t('routesSuppressed', hidden) : t('noSuppression');

  const series = categorySeries(byCategory);
  renderTimeline($('timeline'), series);
  $('timeline-note').textContent = series.suppressed.length ? t('cellsSuppressed', series.suppressed.length, series.suppressed.join('; ')) : t('noSuppression');

  renderFunnel($('funnel'), referrals);
  $('funnel-note').textContent = referrals.rows.length ? t('funnelPeriod', referrals.from, referrals.to, '') : t('noReferrals');
  renderNodes($('nodes'), $('nodes-note'), nodes);

  const d = byRoute.disclosure;
  $('disclosure').textContent = t(
    'disclosure',
    d.agreements.map((a) => `${a.provider} (${a.agreement}, k = ${a.minCellSize})`).join(', ') || t('none'),
    d.leftOut.map((l) => `${l.provider}: ${l.reason}`).join('; ') || t('none'),
  );
  document.body.dataset.loaded = 'true';
}

function signOut(message) {
  forgetCredential();
  credential = null;
  document.body.dataset.loaded = '';
  $('console').classList.add('hidden');
  $('sign-out').classList.add('hidden');
  $('who').textContent = '';
  $('sign-in').classList.remove('hidden');
  $('sign-in-error').classList.toggle('hidden', !message);
  $('sign-in-error').textContent = message ? t('signInFailed', message) : '';
}

async function signIn(next) {
  try {
    await getJson('/v1/alerts', next);
  } catch (e) {
    return signOut(e.message);
  }
  credential = next;
  saveCredential(next);
  if (!reference) {
    reference = await getJson('/v1/reference', credential);
    fillSelect($('filters').elements.category, reference.categories);
    fillSelect($('filters').elements.provider, reference.providerStates);
    writeFilters(initialFilters());
  }
  $('sign-in').classList.add('hidden');
  $('console').classList.remove('hidden');
  $('sign-out').classList.remove('hidden');
  await load();
}

async function main() {
  applyStatic();
  for (const b of document.querySelectorAll('[data-lang]')) {
    b.addEventListener('click', () => {
      setLang(b.dataset.lang);
      render();
    });
  }
  for (const b of document.querySelectorAll('[data-download]')) b.addEventListener('click', () => download(b.dataset.download));
  $('sign-out').addEventListener('click', () => signOut());
  $('sign-in-form').addEventListener('submit', (e) => {
    e.preventDefault();
    signIn($('credential').value.trim());
  });
  $('filters').addEventListener('submit', (e) => {
    e.preventDefault();
    load();
  });
  window.addEventListener('resize', () => {
    for (const id of ['map', 'sankey', 'timeline', 'funnel']) window.echarts.getInstanceByDom($(id))?.resize();
  });

  writeFilters(initialFilters());
  await ensureRegionMap();

  const stored = loadCredential();
  if (stored) await signIn(stored);
  else signOut();
}

main();
