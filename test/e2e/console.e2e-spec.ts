import { OPEN_TERMS, postMovements, postReferrals, RawMovementLike, RawReferralLike } from '@caravanserai/synthetic';
import { RunningRegion, startRegion, TEST_KAFKA_BROKERS, uniqueSuffix, waitFor } from '@caravanserai/testing';
import { Kafka, logLevel } from 'kafkajs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium } from './console/browser';
import { checkLabels, routeWords, word } from './console/labels';

/**
 * The console in real headless Chromium against a known data set posted through two real nodes:
 * a planted surge on AF>IR>TR (8 a day for four weeks, then 32 a day), steady routes, one route
 * below k, and referrals on two pathways. A release is cut holding data up to the last day of
 * the data. The page's map, route diagram, time chart, funnel and alert table are read back
 * (ECharts options and DOM text) and checked against the API's answers for the same principal
 * and, within the cell-key method's noise, against the data set; the release and the
 * adjusted-figures note are shown in English and Russian, every code by its label in the page's
 * language (flows table, legend, filters, referral summary, alerts); a CSV is downloaded, a screenshot is
 * saved to test/artifacts/console.png, and coarser=exclude names the states left out.
 */
describe('secretariat console and surge alerts, end to end', () => {
  const suffix = uniqueSuffix();
  const day = (offset: number) => new Date(Date.now() - (2 + 34 - offset) * 86_400_000).toISOString().slice(0, 10);
  const from = day(0);
  const to = day(34);
  let region: RunningRegion;
  let browser: { context: BrowserContext; close: () => Promise<void> } | null = null;

  const records: Record<string, RawMovementLike[]> = { IR: [], AF: [] };
  const plant = (state: 'IR' | 'AF', perDay: (d: number) => number, r: Omit<RawMovementLike, 'recordId' | 'crossedAt' | 'sex' | 'dateOfBirth'>) => {
    const offset = state === 'IR' ? '+03:30' : '+04:30';
    for (let d = 0; d < 35; d++) {
      for (let i = 0; i < perDay(d); i++) {
        const n = records[state].length;
        records[state].push({
          ...r,
          recordId: `CON${suffix}-${state}-${n}`,
          crossedAt: `${day(d)}T10:00:00${offset}`,
          sex: n % 2 ? 'male' : 'female',
          dateOfBirth: '1990-01-01',
        });
      }
    }
  };
  plant('IR', (d) => (d < 28 ? 8 : 32), {
    direction: 'entry',
    borderCrossingPoint: 'IR-DOGHAROUN',
    citizenship: 'AF',
    departedFrom: 'AF',
    intendedDestination: 'TR',
    category: 'asylum_seeker',
  });
  plant('IR', () => 5, {
    direction: 'entry',
    borderCrossingPoint: 'IR-MILAK',
    citizenship: 'AF',
    departedFrom: 'AF',
    intendedDestination: 'IR',
    category: 'labour_migrant',
  });
  plant('AF', () => 10, {
    direction: 'entry',
    borderCrossingPoint: 'AF-ISLAMQALA',
    citizenship: 'AF',
    departedFrom: 'IR',
    intendedDestination: 'AF',
    category: 'returnee',
  });
  plant('AF', (d) => (d === 20 ? 2 : 0), {
    direction: 'entry',
    borderCrossingPoint: 'AF-TORKHAM',
    citizenship: 'AF',
    departedFrom: 'PK',
    intendedDestination: 'AF',
    category: 'refugee',
  });

  const terms = {
    ...OPEN_TERMS,
    recipient: 'secretariat',
    dimensions: ['route', 'provider', 'category', 'borderCrossingPoint', 'referredTo', 'status'],
    minTimeGranularity: 'week',
    minCellSize: 5,
  };
  const api = async <T>(path: string, principal = 'secretariat'): Promise<T> => {
    const res = await fetch(`${region.aggregator.url}${path}`, { headers: region.as(principal) });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  type Alert = {
    alertId: string;
    scope: string;
    route: string | null;
    borderCrossingPoint: string | null;
    category: string | null;
    severity: string;
    recent: number;
    expectedWeekly: number | null;
    ratio: number | null;
  };
  type FlowAnswer = {
    from: string;
    to: string;
    release: { id: number; cutAt: string; dataUntil: string } | null;
    rows: { period: string; route?: string; category?: string; count: number }[];
    disclosure: { method: { maxNoise: number; protected: { provider: string; k: number }[] }; leftOut: { provider: string }[]; notes: string[] };
  };
  type Summary = { rows: { referredTo: string; referrals: number | null; accepted: number | null; byStatus: { closed: number | null } }[] };
  /** Answers move only with releases: cut one holding the data up to its last day. */
  const cutRelease = async (): Promise<{ releaseId: number; dataUntil: string }> => {
    const res = await fetch(`${region.aggregator.url}/v1/releases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...region.as('admin') },
      body: JSON.stringify({ dataUntil: to }),
    });
    if (res.status !== 201) throw new Error(`POST /v1/releases: ${res.status} ${await res.text()}`);
    return (await res.json()) as { releaseId: number; dataUntil: string };
  };

  beforeAll(async () => {
    region = await startRegion({
      name: 'e2e-con',
      states: ['IR', 'AF'],
      grants: [terms],
      readers: ['secretariat', 'state:IR', 'state:AF', 'org:UNHCR'],
      aggregatorEnv: { ALERTS_INTERVAL_MS: '2000', ALERTS_PROGRESS_GAP_MS: '1000' },
    });
    for (const state of ['IR', 'AF'] as const) {
      for (let b = 0; b < records[state].length; b += 1000)
        await postMovements(region.node(state).url, records[state].slice(b, b + 1000), region.ingest(state));
    }
    await postIranReferrals(region.node('IR').url);
    // A state sees its own data exactly; by day, every period up to the release's last day is
    // closed (a year never is). Answers move only with releases, so each poll cuts one, then asks.
    for (const state of ['IR', 'AF']) {
      await waitFor(
        async () => {
          await cutRelease();
          return (
            (await api<{ totals: { count: number } }>(`/v1/flows?from=${from}&to=${to}&granularity=day&providers=${state}`, `state:${state}`)).totals.count ===
            records[state].length
          );
        },
        { timeoutMs: 120_000, what: `${state}'s movements projected and released` },
      );
    }
    await waitFor(
      async () => {
        await cutRelease();
        return (
          (await api<{ totals: { referrals: number | null } }>(`/v1/referrals/summary?from=${from}&to=${to}&granularity=day&providers=IR`, 'state:IR')).totals
            .referrals === 18
        );
      },
      { timeoutMs: 60_000, what: 'the referrals projected and released' },
    );
  });

  afterAll(async () => {
    await browser?.close();
    await region?.close();
  });

  /** 12 referrals to child protection (8 accepted 5 h later, 4 of those closed 29 h after the
   * referral) and 6 to medical care left open, all on day 30. */
  async function postIranReferrals(url: string) {
    const record = (n: number, referredTo: string): RawReferralLike => ({
      recordId: `CONREF${suffix}-${n}`,
      referredAt: `${day(30)}T09:00:00+03:30`,
      category: 'unaccompanied_child',
      sex: 'female',
      dateOfBirth: '2012-01-01',
      borderCrossingPoint: 'IR-DOGHAROUN',
      referredTo,
    });
    const ingest = region.ingest('IR');
    const answer = await postReferrals(
      url,
      [...Array.from({ length: 12 }, (_, n) => record(n, 'child_protection')), ...Array.from({ length: 6 }, (_, n) => record(100 + n, 'medical'))],
      ingest,
    );
    const step = async (id: string, command: string, hour: string, body: Record<string, string> = {}) => {
      const res = await fetch(`${url}/v1/referrals/${id}/${command}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...ingest },
        body: JSON.stringify({ at: `${hour}+03:30`, ...body }),
      });
      expect(res.status).toBe(201);
    };
    for (const [i, r] of answer.results.slice(0, 8).entries()) {
      await step(r.referralId, 'acknowledgement', `${day(30)}T11:00:00`);
      await step(r.referralId, 'acceptance', `${day(30)}T14:00:00`);
      if (i < 4) await step(r.referralId, 'closure', `${day(31)}T14:00:00`, { outcome: 'services_provided' });
    }
  }

  it('detects the planted surge, publishes it on alerts.v1, and shows it only to those the agreements allow', async () => {
    // A run made while the data was still arriving may have seen part of the last week: wait on
    // Iran's own view, the only exact one.
    const own = await waitFor(
      async () => {
        const list = (await api<{ alerts: Alert[] }>('/v1/alerts', 'state:IR')).alerts;
        return list.length === 3 && list.every((a) => a.recent === 224 && a.severity === 'critical') ? list : null;
      },
      { timeoutMs: 60_000, what: 'three alerts on the whole last week for Iran' },
    );
    // 8 a day for four weeks (56 a week), then 32 a day: 224 in the last week, ×4. Iran sees its
    // own figures exact.
    for (const a of own) expect(a).toMatchObject({ severity: 'critical', recent: 224, expectedWeekly: 56, ratio: 4 });
    // The secretariat (k = 5) sees the same alerts with the figures published through cell-key
    // noise: each week moved by at most 3, the ratio recomputed from the published values.
    const alerts = (await api<{ alerts: Alert[] }>('/v1/alerts')).alerts;
    expect(alerts.map((a) => a.alertId).sort()).toEqual(own.map((a) => a.alertId).sort());
    for (const a of alerts) {
      expect(a.severity).toBe('critical');
      expect(Math.abs(a.recent - 224)).toBeLessThanOrEqual(3);
      expect(Math.abs(a.expectedWeekly! - 56)).toBeLessThanOrEqual(3);
      expect(a.ratio).toBeCloseTo(a.recent / a.expectedWeekly!, 2);
    }
    // The three series hold the same records, so the same keys: the same published figures.
    expect(new Set(alerts.map((a) => `${a.recent} ${a.expectedWeekly}`)).size).toBe(1);
    expect(alerts.map((a) => `${a.scope} ${a.route ?? a.borderCrossingPoint} ${a.category ?? ''}`.trim()).sort()).toEqual([
      'borderCrossingPoint IR-DOGHAROUN',
      'route AF>IR>TR',
      'routeCategory AF>IR>TR asylum_seeker',
    ]);
    // Nobody granted UNHCR anything; Afghanistan sees no alert on Iran's data, Iran sees its own.
    expect((await api<{ alerts: Alert[] }>('/v1/alerts', 'org:UNHCR')).alerts).toEqual([]);
    expect((await api<{ alerts: Alert[] }>('/v1/alerts', 'state:AF')).alerts).toEqual([]);

    const kafka = new Kafka({ clientId: 'e2e-con', brokers: TEST_KAFKA_BROKERS, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `e2e-con-reader-${suffix}` });
    const seen: { type: string; data: { alertId: string; severity: string; recent: number } }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: region.topic('alerts'), fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(JSON.parse(message.value!.toString())) });
    // The detector may run while the data is still arriving, raise an alert at a lower severity
    // and raise it again (same alertId, a new SurgeDetected) when it escalates: so wait until
    // every alert's latest event is the critical one the API shows.
    const latest = () => new Map(seen.map((e) => [e.data.alertId, e]));
    try {
      await waitFor(() => latest().size === 3 && [...latest().values()].every((e) => e.data.severity === 'critical'), {
        timeoutMs: 60_000,
        what: 'the three alerts critical on alerts.v1',
      });
    } finally {
      await consumer.disconnect();
    }
    expect(new Set(seen.map((e) => e.type))).toEqual(new Set(['SurgeDetected']));
    expect([...latest().keys()].sort()).toEqual(alerts.map((a) => a.alertId).sort());
    for (const e of latest().values()) expect(e.data.severity).toBe('critical');
  });

  it('renders the map, the route diagram, the time chart, the funnel and the alerts with the API’s numbers, in English and Russian', async () => {
    browser = await launchChromium();
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));

    // The static console needs no credential; the data calls do.
    const staticRes = await fetch(`${region.aggregator.url}/console/`);
    expect(staticRes.status).toBe(200);
    expect(staticRes.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect((await fetch(`${region.aggregator.url}/v1/alerts`)).status).toBe(401);

    // The secretariat's planning figures for the surging route: the page shows its forecast against them.
    const scenario = await fetch(`${region.aggregator.url}/v1/scenarios`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...region.as('secretariat') },
      body: JSON.stringify({ target: 'AF>IR>TR', planningFigure: 50, capacityPerDay: 40, reason: 'console test' }),
    });
    expect(scenario.status).toBe(201);

    const key = encodeURIComponent(region.main.key('secretariat'));
    await page.goto(`${region.aggregator.url}/console/?from=${from}&to=${to}&granularity=week#key=${key}`);
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 60_000 });
    expect(page.url()).not.toContain('key=');

    // The same questions the page asked, as the same principal, from the same release.
    const byRoute = await api<FlowAnswer>(`/v1/flows?from=${from}&to=${to}&granularity=week&groupBy=route`);
    const byCategory = await api<FlowAnswer>(`/v1/flows?from=${from}&to=${to}&granularity=week&groupBy=category`);
    const summary = await api<Summary>(`/v1/referrals/summary?from=${from}&to=${to}&granularity=week&groupBy=referredTo`);
    const release = byRoute.release!;
    expect(release).toMatchObject({ dataUntil: to });
    expect(byRoute.disclosure.method.protected.map((p) => p.provider).sort()).toEqual(['AF', 'IR']);
    const shownRoutes = await checkMap(page, byRoute);
    await checkSankey(page, shownRoutes);
    await checkTimeline(page, byCategory);
    const pathways = await checkFunnel(page, summary);
    await checkAlerts(page);
    await checkForecast(page);
    await checkLabels(page, 'en', pathways);

    // The release read and what the method did, in words, where suppressed cells were explained.
    expect(await page.textContent('#release')).toBe(`Release ${release.id} (cut ${release.cutAt.slice(0, 16).replace('T', ' ')}): data up to ${to}`);
    expect(await page.textContent('#adjusted-note')).toBe(
      'Figures of protected states are adjusted slightly; a small figure, a zero or a missing row may have been adjusted; totals are adjusted on their own.',
    );
    const notes = await page.$$eval('#notes li', (lis) => lis.map((li) => li.textContent ?? ''));
    expect(notes[0]).toContain(`release ${release.id}`);
    expect(notes.join(' ')).toContain(
      `${word('countries', 'AF', 'en')} (k = 5), ${word('countries', 'IR', 'en')} (k = 5) are protected: each such part is changed by up to 3`,
    );
    expect(await page.isHidden('#left-out')).toBe(true);

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-download="map"]')]);
    const csvPath = join(ARTIFACTS, 'console-map.csv');
    await download.saveAs(csvPath);
    const csv = readFileSync(csvPath, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('kind,code,movements');
    for (const [route, count] of Object.entries(shownRoutes)) expect(csv).toContain(`route,${route},${count}\r\n`);

    await page.click('[data-lang="ru"]');
    expect(await page.textContent('#alerts-panel h2')).toBe('Активные оповещения');
    expect(await page.textContent('#alerts tbody tr:first-child td:first-child')).toBe(word('alertSeverities', 'critical', 'ru'));
    expect(await page.textContent('#forecast-panel h2')).toBe('Плановые показатели и прогноз');
    await checkLabels(page, 'ru', pathways);
    await page.reload();
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 60_000 });
    expect(await page.getAttribute('html', 'lang')).toBe('ru');
    expect(await page.textContent('#alerts-panel h2')).toBe('Активные оповещения');
    expect(await page.textContent('#release')).toBe(`Выпуск ${release.id} (подготовлен ${release.cutAt.slice(0, 16).replace('T', ' ')}): данные по ${to}`);
    expect(await page.textContent('#adjusted-note')).toBe(
      'Данные защищённых государств немного изменены; малое число, ноль или отсутствующая строка могли быть изменены; итоги изменены отдельно.',
    );
    expect((await page.$$eval('#notes li', (lis) => lis.map((li) => li.textContent ?? ''))).join(' ')).toContain(
      `Доли ${word('countries', 'AF', 'ru')} (k = 5), ${word('countries', 'IR', 'ru')} (k = 5) защищены`,
    );
    await checkLabels(page, 'ru', pathways);
    await page.screenshot({ path: join(ARTIFACTS, 'console.png'), fullPage: true });

    // Both states grant weeks at the finest: asked by day with coarser states left out, the page
    // asks with coarser=exclude, draws nothing, and names both.
    await page.goto(`${region.aggregator.url}/console/?from=${from}&to=${to}&granularity=day&coarser=exclude`);
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 60_000 });
    expect(await page.isChecked('input[name="coarser"]')).toBe(true);
    const excluded = await api<FlowAnswer>(`/v1/flows?from=${from}&to=${to}&granularity=day&groupBy=route&coarser=exclude`);
    expect(excluded.disclosure.leftOut.map((l) => l.provider).sort()).toEqual(['AF', 'IR']);
    expect(excluded.rows).toEqual([]);
    const leftOut = await page.textContent('#left-out');
    expect(leftOut).toMatch(/^Не включены: /);
    // Named and explained in Russian: the answer's English reason read through its template.
    for (const state of ['AF', 'IR'])
      expect(leftOut).toContain(
        `${word('countries', state, 'ru')} (${word('disclosureReasons', 'granularity_too_fine', 'ru').replace('{0}', 'неделя').replace('{1}', 'день')})`,
      );
    expect(await optionOf(page, 'map').then((o) => o.series.find((s) => s.id === 'routes')!.data)).toEqual([]);
    expect(problems).toEqual([]);
  });

  type Option = { series: { id: string; data: unknown[]; links?: { source: string; target: string; value: number }[] }[]; xAxis?: { data: string[] }[] };
  const optionOf = (page: Page, id: string): Promise<Option> =>
    page.evaluate(`JSON.parse(JSON.stringify(echarts.getInstanceByDom(document.getElementById('${id}')).getOption()))`);

  /** The movements of the data set per route in the weeks a release up to `to` holds whole. */
  const truthByRoute = (): Record<string, number> => {
    const sunday = (d: string) => {
      const date = new Date(`${d}T00:00:00Z`);
      return new Date(date.getTime() + ((7 - date.getUTCDay()) % 7) * 86_400_000).toISOString().slice(0, 10);
    };
    const out: Record<string, number> = {};
    for (const r of [...records.IR, ...records.AF]) {
      const route = `${r.departedFrom}>${r.borderCrossingPoint!.slice(0, 2)}>${r.intendedDestination}`;
      if (sunday(r.crossedAt.slice(0, 10)) <= to) out[route] = (out[route] ?? 0) + 1;
    }
    return out;
  };

  async function checkMap(page: Page, byRoute: FlowAnswer): Promise<Record<string, number>> {
    const option = await optionOf(page, 'map');
    const lines = option.series.find((s) => s.id === 'routes')!.data as { name: string; value: number; lineStyle: { type?: string } }[];
    const shown = Object.fromEntries(lines.map((l) => [l.name, l.value]));
    // The page shows what the API answered: per route, the sum of its weekly rows; no line dashed.
    const fromApi: Record<string, number> = {};
    for (const r of byRoute.rows) fromApi[r.route!] = (fromApi[r.route!] ?? 0) + r.count;
    expect(shown).toEqual(fromApi);
    for (const l of lines) expect(l.lineStyle.type ?? 'solid').toBe('solid');
    // And the API's figures are the data set's, each weekly row moved by at most maxNoise (3).
    const truth = truthByRoute();
    for (const route of ['AF>IR>TR', 'AF>IR>IR', 'IR>AF>AF']) {
      const weeks = byRoute.rows.filter((r) => r.route === route).length;
      expect(Math.abs(shown[route] - truth[route])).toBeLessThanOrEqual(3 * weeks);
    }
    // PK>AF>AF's 2 movements, below k = 5, are published as 0 (not listed) or as 5, never as 2.
    expect([undefined, 5]).toContain(shown['PK>AF>AF']);
    const points = option.series.find((s) => s.id === 'points')!.data as { name: string; value: [number, number, number | null] }[];
    const dogharounWeeks = byRoute.rows.filter((r) => r.route === 'AF>IR>TR').length;
    expect(Math.abs(points.find((p) => p.name === 'IR-DOGHAROUN')!.value[2]! - truth['AF>IR>TR'])).toBeLessThanOrEqual(3 * dogharounWeeks);
    expect(points.filter((p) => p.value[2] !== null).length).toBeGreaterThanOrEqual(3);
    return shown;
  }

  async function checkSankey(page: Page, routes: Record<string, number>) {
    const links = (await optionOf(page, 'sankey')).series[0].links!;
    const value = (s: string, t: string) => links.find((l) => l.source === s && l.target === t)?.value;
    expect(value('o:AF', 'v:IR')).toBe(routes['AF>IR>TR'] + routes['AF>IR>IR']);
    expect(value('v:IR', 'd:TR')).toBe(routes['AF>IR>TR']);
    expect(value('o:IR', 'v:AF')).toBe(routes['IR>AF>AF']);
  }

  async function checkTimeline(page: Page, byCategory: FlowAnswer) {
    const option = await optionOf(page, 'timeline');
    const periods = option.xAxis![0].data;
    expect(periods).toEqual([...new Set(byCategory.rows.map((r) => r.period))].sort());
    for (const r of byCategory.rows) {
      const series = option.series.find((s) => s.id === r.category)!;
      expect(series.data[periods.indexOf(r.period)]).toBe(r.count);
    }
    // A row the answer does not list is drawn as 0: nothing is a gap any more.
    for (const s of option.series) for (const v of s.data) expect(typeof v).toBe('number');
  }

  async function checkFunnel(page: Page, summary: Summary) {
    const option = await optionOf(page, 'funnel');
    const per = new Map<string, number[]>();
    for (const r of summary.rows) {
      const e = per.get(r.referredTo) ?? [0, 0, 0];
      per.set(r.referredTo, [e[0] + (r.referrals ?? 0), e[1] + (r.accepted ?? 0), e[2] + (r.byStatus.closed ?? 0)]);
    }
    const pathways = [...per.keys()].sort((a, b) => per.get(b)![0] - per.get(a)![0] || a.localeCompare(b));
    expect(option.xAxis![0].data).toEqual(pathways.map((p) => word('referralPathways', p, 'en')));
    expect(pathways.length).toBeGreaterThan(0);
    const data = (id: string) => option.series.find((s) => s.id === id)!.data;
    expect([data('made'), data('accepted'), data('closed')]).toEqual([0, 1, 2].map((i) => pathways.map((p) => per.get(p)![i])));
    return pathways;
  }

  async function checkAlerts(page: Page) {
    const rows = await page.$$eval('#alerts tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toHaveLength(3);
    // The secretariat's figures as the API published them (with noise, the same for the three
    // series, which hold the same records).
    const a = (await api<{ alerts: Alert[] }>('/v1/alerts')).alerts[0];
    const shown = [String(a.recent), a.expectedWeekly!.toLocaleString('en-GB'), `×${a.ratio!.toFixed(2)}`];
    for (const r of rows) expect([r[0], r[2], r[3], r[4], r[5]]).toEqual([word('alertSeverities', 'critical', 'en'), word('countries', 'IR', 'en'), ...shown]);
    expect(rows.map((r) => r[1]).sort()).toEqual(
      [
        `crossing point ${word('borderCrossingPoints', 'IR-DOGHAROUN', 'en')}`,
        `route ${routeWords('AF>IR>TR', 'en')}`,
        `route ${routeWords('AF>IR>TR', 'en')} · ${word('categories', 'asylum_seeker', 'en')}`,
      ].sort(),
    );
  }
  /** The planning-figures panel against GET /v1/forecasts for the same principal: the route's last
   * weeks as published, the next four weeks with the 80% range, the figures, the alert, the chart. */
  async function checkForecast(page: Page) {
    type Week = { week: string; point: number; lower80: number; upper80: number };
    type Series = {
      route: string;
      history: { count: number }[];
      forecast: { weeks: Week[] } | null;
      alerts: { figure: string; limit: number; expected: boolean; expectedWeek: string | null; week: string }[];
    };
    const answer = await api<{ series: Series[] }>(`/v1/forecasts?routes=${encodeURIComponent('AF>IR>TR')}`);
    const s = answer.series[0];
    expect(s.forecast).not.toBeNull();
    const n = (v: number) => v.toLocaleString('en-GB');
    const rows = await page.$$eval('#forecast tbody tr', (trs) =>
      trs.map((tr) => ({ route: tr.getAttribute('data-route'), cells: [...tr.querySelectorAll('td')].map((td) => td.textContent) })),
    );
    expect(rows.map((r) => r.route)).toEqual(['AF>IR>TR']);
    const cells = rows[0].cells;
    expect(cells[0]).toBe(routeWords('AF>IR>TR', 'en'));
    expect(cells[2]).toBe(
      s.history
        .slice(-4)
        .map((p) => n(p.count))
        .join(' · '),
    );
    expect(cells[3]).toBe(s.forecast!.weeks.map((w) => `${n(w.point)} (${n(w.lower80)}–${n(w.upper80)})`).join(' · '));
    expect([cells[5], cells[6]]).toEqual(['50', '280']);
    // At least 8 a day in every week, against 50 a week planned: expected over from the first week.
    expect(s.alerts[0]).toMatchObject({ figure: 'planningFigure', expected: true, expectedWeek: s.forecast!.weeks[0].week });
    const said = (a: Series['alerts'][number]) =>
      `${word('scenarioFigures', a.figure, 'en')} ${n(a.limit)} ${a.expected ? 'expected to be exceeded' : 'may be exceeded'} from ${a.expected ? a.expectedWeek : a.week}`;
    expect(cells[7]).toBe(s.alerts.map(said).join('; '));
    const option = await optionOf(page, 'forecast-chart');
    expect(option.series.find((x) => x.id === 'forecast')!.data.slice(-4)).toEqual(s.forecast!.weeks.map((w) => w.point));
    expect(new Set(option.series.find((x) => x.id === 'fcPlanning')!.data)).toEqual(new Set([50]));
  }
});
