import { ApiError, forgetCredential, getJson, loadCredential, saveCredential } from './api.js';
import { download } from './csv.js';
import { categorySeries, pointTotals, routeTotals } from './flows.js';
import { renderForecast } from './forecast.js';
import { renderFunnel } from './funnel.js';
import { applyStatic, setLang, t } from './i18n.js';
import { ensureRegionMap, renderMap } from './map.js';
import { renderSankey } from './sankey.js';
import { country, label, reasonLabel, setLabels } from './labels.js';
import { renderAlerts, renderFlows, renderNodes } from './tables.js';
import { renderTimeline } from './timeline.js';

const $ = (id) => document.getElementById(id);
let credential = null;
let reference = null;
let data = null;

const iso = (d) => d.toISOString().slice(0, 10);

/** Filters from the page's query string (?from=&to=&granularity=&category=&provider=&coarser=),
 * else the last ten weeks by week, coarser grants included. */
function initialFilters() {
  const q = new URLSearchParams(window.location.search);
  const today = new Date();
  return {
    from: q.get('from') ?? iso(new Date(today.getTime() - 69 * 86_400_000)),
    to: q.get('to') ?? iso(today),
    granularity: q.get('granularity') ?? 'week',
    category: q.get('category') ?? '',
    provider: q.get('provider') ?? '',
    coarser: q.get('coarser') === 'exclude' ? 'exclude' : 'include',
  };
}

function readFilters() {
  const f = new FormData($('filters'));
  return {
    ...Object.fromEntries(['from', 'to', 'granularity', 'category', 'provider'].map((k) => [k, String(f.get(k) ?? '')])),
    coarser: f.get('coarser') === 'exclude' ? 'exclude' : 'include',
  };
}

function writeFilters(f) {
  const form = $('filters');
  for (const [k, v] of Object.entries(f)) {
    if (k === 'coarser') form.elements.coarser.checked = v === 'exclude';
    else form.elements[k].value = v;
  }
}

/** Options for the codes of `list`, shown by their labels (relabelled when the language changes). */
function fillSelect(select, list, values) {
  for (const v of values) {
    const o = document.createElement('option');
    o.value = v;
    o.dataset.list = list;
    select.appendChild(o);
  }
  labelOptions();
}

function labelOptions() {
  for (const o of document.querySelectorAll('option[data-list]')) o.textContent = label(o.dataset.list, o.value);
}

async function load() {
  const f = readFilters();
  const base = `from=${f.from}&to=${f.to}&granularity=${f.granularity}${f.category ? `&categories=${f.category}` : ''}${f.provider ? `&providers=${f.provider}` : ''}`;
  // coarser=exclude: a state whose grant is coarser than the granularity asked is left out (and
  // named) instead of coarsening the whole answer.
  const flows = (groupBy) => getJson(`/v1/flows?${base}&groupBy=${groupBy}${f.coarser === 'exclude' ? '&coarser=exclude' : ''}`, credential);
  const optional = (p) => p.catch((e) => (e instanceof ApiError && e.status === 403 ? null : Promise.reject(e)));
  $('load-error').classList.add('hidden');
  try {
    const [byRoute, byPoint, byCategory, alerts, referrals, nodes] = await Promise.all([
      flows('route'),
      flows('borderCrossingPoint'),
      flows('category'),
      getJson('/v1/alerts', credential),
      getJson(
        `/v1/referrals/summary?from=${f.from}&to=${f.to}&granularity=${f.granularity}&groupBy=referredTo${f.provider ? `&providers=${f.provider}` : ''}`,
        credential,
      ),
      optional(getJson('/v1/nodes', credential)),
    ]);
    // Planning figures: the routes with a scenario, and their forecast as this caller may see it.
    const scenarios = (await getJson('/v1/scenarios', credential)).scenarios.filter((s) => s.targetKind === 'route');
    const forecast = scenarios.length
      ? await getJson(`/v1/forecasts?routes=${encodeURIComponent(scenarios.map((s) => s.target).join(','))}`, credential)
      : null;
    data = { f, byRoute, byPoint, byCategory, alerts, referrals, nodes, forecast };
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
  renderForecast($('forecast'), $('forecast-chart'), $('forecast-note'), data.forecast);

  renderRelease(byRoute);

  const routes = routeTotals(byRoute);
  // Volumes by crossing point where some state's agreement covers them (the others are left out).
  const pointsAllowed = byPoint.disclosure.agreements.length > 0;
  renderMap($('map'), { routes, points: pointTotals(byPoint), pointsAllowed, crossingPoints: reference.borderCrossingPoints });
  $('map-note').textContent = t('routesDrawn', routes.length, pointsAllowed ? t('bcpVolumes') : t('bcpNoVolumes'));
  renderSankey($('sankey'), routes);
  const series = categorySeries(byCategory);
  renderTimeline($('timeline'), series);
  renderFlows($('flows'), series);

  renderFunnel($('funnel'), referrals);
  $('funnel-note').textContent = referrals.rows.length ? t('funnelPeriod', referrals.from, referrals.to, '') : t('noReferrals');
  renderNodes($('nodes'), $('nodes-note'), nodes);

  document.body.dataset.loaded = 'true';
}

/**
 * Which release the page reads, and the answer's disclosure in words of the page's language: the
 * release, which states' figures are adjusted (and by how much at most) and which are exact, what
 * was coarsened, and who was left out. Built from the answer's structured fields (release,
 * disclosure.method, coarsened, leftOut), so both languages say the same as the API's notes.
 */
function renderRelease(answer) {
  const d = answer.disclosure;
  const r = answer.release;
  $('release').textContent = r ? t('releaseShown', r.id, r.cutAt.slice(0, 16).replace('T', ' '), r.dataUntil) : t('noRelease');
  const method = d.method;
  $('adjusted-note').textContent = method.protected.length > 0 ? t('adjusted') : t('allExact');
  const leftOut = d.leftOut.map((l) => `${country(l.provider)} (${reasonLabel(l.reason)})`).join('; ');
  $('left-out').textContent = leftOut ? t('leftOutNote', leftOut) : '';
  $('left-out').classList.toggle('hidden', !leftOut);
  const notes = r
    ? [
        t('noteRelease', r.id, r.cutAt.slice(0, 16).replace('T', ' '), r.dataUntil),
        ...(method.protected.length
          ? [t('noteProtected', method.protected.map((p) => `${country(p.provider)} (k = ${p.k})`).join(', '), method.maxNoise)]
          : []),
        ...(method.exact.length ? [t('noteExact', method.exact.map(country).join(', '))] : []),
        ...(d.coarsened.length ? [t('noteCoarsened', d.coarsened.map(reasonLabel).join('; '))] : []),
        ...(leftOut ? [t('leftOutNote', leftOut)] : []),
      ]
    : [t('noRelease')];
  $('notes').replaceChildren(
    ...notes.map((n) => {
      const li = document.createElement('li');
      li.textContent = n;
      return li;
    }),
  );
  $('disclosure').textContent = t(
    'disclosure',
    d.agreements.map((a) => `${country(a.provider)} (${a.agreement}, k = ${a.minCellSize})`).join(', ') || t('none'),
  );
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
    setLabels(reference.labels);
    fillSelect($('filters').elements.category, 'categories', reference.categories);
    fillSelect($('filters').elements.provider, 'countries', reference.providerStates);
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
      labelOptions();
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
