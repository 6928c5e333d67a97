import type { DisclosureReport } from '../../../disclosure/domain/disclosure-report';
import type { FlowAnswer } from '../../flow-answer';
import type { ReferralSummary, ReferralSummaryRow } from '../../referral-summary';
import { toHxl } from './hxl';
import { negotiate } from './negotiate';
import { flowsCsv, referralsCsv } from './plain-csv';
import { codelistsMessage } from './sdmx-codelists';
import { toSdmxCsv } from './sdmx-csv';
import { toSdmxJson } from './sdmx-json';
import { CODELISTS } from './sdmx-structure';
import { flagsOf, flowsTable, periodBounds, referralsTable } from './table';

const disclosure = (exact: string[], prot: string[]): DisclosureReport => ({
  principal: 'secretariat',
  release: { id: 3, cutAt: '2026-04-01T00:00:00Z', dataUntil: '2026-03-31' },
  method: { name: 'cell-key', maxNoise: 3, exact, protected: prot.map((provider) => ({ provider, k: 5 })) },
  agreements: [],
  leftOut: [],
  coarsened: [],
  notes: ['Figures of release 3.'],
});

const flows = (rows: FlowAnswer['rows'], groupBy: FlowAnswer['query']['groupBy'], d = disclosure(['PK'], ['IR'])): FlowAnswer => ({
  query: { from: '2026-03-01', to: '2026-03-31', granularity: 'month', groupBy },
  granularity: 'month',
  from: '2026-03-01',
  to: '2026-03-31',
  release: d.release,
  rows,
  totals: { count: rows.reduce((s, r) => s + r.count, 0), byPeriod: [] },
  disclosure: d,
});

const referralRow = (over: Partial<ReferralSummaryRow>): ReferralSummaryRow => ({
  period: '2026-03',
  referrals: 7,
  byStatus: { made: 0, acknowledged: 0, accepted: 7, declined: 0, closed: 0 },
  accepted: 7,
  declined: 0,
  acceptanceRate: 1,
  toAcceptance: { count: 7, medianHours: 2, p90Hours: 2 },
  toClosure: { count: 0, medianHours: null, p90Hours: null },
  stalled: 0,
  ...over,
});
const referrals = (rows: ReferralSummaryRow[], groupBy: ReferralSummary['query']['groupBy'], d = disclosure(['PK'], ['IR'])): ReferralSummary => ({
  query: { from: '2026-03-01', to: '2026-03-31', granularity: 'month', groupBy, stalledAfterHours: 72 },
  release: d.release,
  asOf: d.release!.cutAt,
  rows,
  totals: rows[0],
  granularity: 'month',
  from: '2026-03-01',
  to: '2026-03-31',
  disclosure: d,
  awaitingReferralMade: 0,
});

describe('flags', () => {
  const d = disclosure(['PK'], ['IR']);
  it('mark a protected provider’s figure as estimated, an exact one as normal, both free', () => {
    expect(flagsOf(d, { provider: 'IR' }, 12)).toEqual({ obsStatus: 'E', confStatus: 'F' });
    expect(flagsOf(d, { provider: 'PK' }, 12)).toEqual({ obsStatus: 'A', confStatus: 'F' });
    expect(flagsOf(d, { route: 'AF>PK>TR' }, 12)).toEqual({ obsStatus: 'A', confStatus: 'F' });
    expect(flagsOf(d, { category: 'refugee' }, 12)).toEqual({ obsStatus: 'E', confStatus: 'F' });
  });
  it('mark a null as withheld (Q, C) when a protected part may be behind it, else as nothing to compute', () => {
    expect(flagsOf(d, { provider: 'IR' }, null)).toEqual({ obsStatus: 'Q', confStatus: 'C' });
    expect(flagsOf(d, { provider: 'PK' }, null)).toEqual({ obsStatus: 'O', confStatus: 'F' });
  });
});

describe('SDMX-CSV 2.0', () => {
  it('writes STRUCTURE, STRUCTURE_ID, ACTION, the dimensions, OBS_VALUE and the flags, codes in SDMX notation', () => {
    const csv = toSdmxCsv(flowsTable(flows([{ period: '2026-03', route: 'AF>IR>TR', ageBand: '60+', count: 12 }], ['route', 'ageBand'])));
    expect(csv.split('\r\n')).toEqual([
      'STRUCTURE,STRUCTURE_ID,ACTION,FREQ,ROUTE,AGE,MEASURE,TIME_PERIOD,OBS_VALUE,OBS_STATUS,CONF_STATUS',
      'dataflow,CARAVANSERAI:DF_FLOWS(1.0),I,M,AFG-IRN-TUR,Y_GE60,MOVEMENTS,2026-03,12,E,F',
      '',
    ]);
  });
  it('writes a withheld value as no number, with Q and C, and takes ; as separator', () => {
    const csv = toSdmxCsv(
      referralsTable(referrals([referralRow({ provider: 'IR', toAcceptance: { count: 5, medianHours: null, p90Hours: null } })], ['provider'])),
      ';',
    );
    const line = csv.split('\r\n').find((l) => l.includes(';HOURS_TO_ACCEPTANCE_MEDIAN;'));
    expect(line).toBe('dataflow;CARAVANSERAI:DF_REFERRALS(1.0);I;M;IRN;HOURS_TO_ACCEPTANCE_MEDIAN;2026-03;;Q;C');
  });
});

describe('SDMX-JSON 2.0 data message', () => {
  const answer = flows(
    [
      { period: '2026-W10', category: 'refugee', count: 12 },
      { period: '2026-W11', category: 'returnee', count: 5 },
    ],
    ['category'],
  );
  answer.granularity = 'week';
  const message = toSdmxJson(flowsTable(answer), 'ru', '2026-04-01T00:00:00Z', 'FLOWS-3') as {
    meta: Record<string, unknown>;
    data: {
      structures: {
        dimensions: { observation: { id: string; keyPosition: number; values: { id: string; name: string; start?: string }[] }[] };
        attributes: { observation: { id: string; values: { id: string }[] }[] };
      }[];
      dataSets: { observations: Record<string, unknown[]>; links: unknown[] }[];
    };
  };
  it('has the parts the schema requires (meta id, prepared, sender; dimensions with key positions; data set links)', () => {
    expect(message.meta).toMatchObject({ id: 'FLOWS-3', prepared: '2026-04-01T00:00:00Z', sender: { id: 'CARAVANSERAI' }, contentLanguages: ['ru'] });
    const dims = message.data.structures[0].dimensions.observation;
    expect(dims.map((d) => d.id)).toEqual(['FREQ', 'CATEGORY', 'MEASURE', 'TIME_PERIOD']);
    expect(dims.map((d) => d.keyPosition)).toEqual([0, 1, 2, 3]);
    expect(message.data.dataSets[0].links.length).toBeGreaterThan(0);
  });
  it('names codes in the caller’s language and gives each period its bounds', () => {
    const dims = message.data.structures[0].dimensions.observation;
    expect(dims[1].values[0]).toMatchObject({ id: 'refugee', name: 'Беженец' });
    expect(dims[3].values[0]).toMatchObject({ id: '2026-W10', start: '2026-03-02T00:00:00Z' });
  });
  it('keys each observation by value indices and holds [value, OBS_STATUS, CONF_STATUS]', () => {
    const statuses = message.data.structures[0].attributes.observation;
    expect(statuses.map((a) => a.id)).toEqual(['OBS_STATUS', 'CONF_STATUS']);
    expect(message.data.dataSets[0].observations).toEqual({ '0:0:0:0': [12, 0, 0], '0:1:0:1': [5, 0, 0] });
  });
});

describe('HXL', () => {
  it('has a header row, a hashtag row, countries in alpha-2, alpha-3 and by name, and says how the row was published', () => {
    const hxl = toHxl(flowsTable(flows([{ period: '2026-03', provider: 'IR', count: 12 }], ['provider'])), 'en');
    const [header, tags, row] = hxl.replace(/^\uFEFF/, '').split('\r\n');
    expect(tags.split(',').map((t) => t.replace(/"/g, ''))).toEqual([
      '#date',
      '#date+start',
      '#date+end',
      '#country+reported+code+v_iso2',
      '#country+reported+code+v_iso3',
      '#country+reported+name+i_en',
      '#affected+crossings',
      '#meta+disclosure',
    ]);
    expect(header.split(',')[0]).toBe('Period');
    const cells = row.split(',');
    expect(cells.slice(0, 5)).toEqual(['2026-03', '2026-03-01', '2026-03-31', 'IR', 'IRN']);
    expect(cells.slice(-2)).toEqual(['12', 'adjusted']);
    expect(cells[5]).toBe('Iran');
  });
  it('leaves a withheld figure empty and names it', () => {
    const hxl = toHxl(
      referralsTable(referrals([referralRow({ provider: 'IR', toAcceptance: { count: 5, medianHours: null, p90Hours: null } })], ['provider'])),
      'ru',
      ';',
    );
    const row = hxl.split('\r\n')[2];
    expect(row).toContain(';1;;;0;;;0;');
    expect(row.endsWith('"adjusted; withheld: hours_to_acceptance_median hours_to_acceptance_p90 hours_to_closure_median hours_to_closure_p90"')).toBe(true);
  });
});

describe('CSV for spreadsheets', () => {
  it('starts with a BOM, keeps the comment lines and the header', () => {
    const csv = flowsCsv(flows([{ period: '2026-03', route: 'AF>IR>TR', count: 12 }], ['route']));
    expect(csv.startsWith('\uFEFF# caravanserai flows')).toBe(true);
    expect(csv.split('\r\n')).toContain('period,route,count');
  });
  it('with ; writes decimals with a comma', () => {
    const csv = referralsCsv(referrals([referralRow({ acceptanceRate: 0.75 })], []), ';');
    const data = csv.split('\r\n').filter((l) => !l.replace(/^\uFEFF/, '').startsWith('#'));
    expect(data[0].startsWith('period;referrals;made')).toBe(true);
    expect(data[1].split(';')[9]).toBe('0,75');
  });
  it('shows a formula-like value as text', () => {
    const answer = flows([{ period: '2026-03', category: '=HYPERLINK("x")', count: 1 }], ['category']);
    expect(flowsCsv(answer)).toContain(`"'=HYPERLINK(""x"")"`);
  });
});

describe('negotiation', () => {
  it('takes ?format= first, then the preferred Accept type we serve, else JSON', () => {
    expect(negotiate('hxl', 'application/json')).toBe('hxl');
    expect(negotiate(undefined, 'application/vnd.sdmx.data+csv;version=2.0.0')).toBe('sdmx-csv');
    expect(negotiate(undefined, 'application/vnd.sdmx.data+json; version=2.0.0, text/csv;q=0.5')).toBe('sdmx-json');
    expect(negotiate(undefined, 'application/vnd.sdmx.data+csv;version=1.0.0, text/csv;q=0.2')).toBe('csv');
    expect(negotiate(undefined, 'text/csv;q=0.4, application/json')).toBe('json');
    expect(negotiate(undefined, undefined)).toBe('json');
  });
});

describe('periods and code lists', () => {
  it('bounds years, months, ISO weeks and days', () => {
    expect(periodBounds('2026')).toEqual({ start: '2026-01-01', end: '2026-12-31' });
    expect(periodBounds('2026-02')).toEqual({ start: '2026-02-01', end: '2026-02-28' });
    expect(periodBounds('2026-W01')).toEqual({ start: '2025-12-29', end: '2026-01-04' });
    expect(periodBounds('2026-03-04')).toEqual({ start: '2026-03-04', end: '2026-03-04' });
  });
  it('serves every coded dimension’s list with English and Russian names, codes valid in SDMX', () => {
    const message = codelistsMessage(CODELISTS, 'en', '2026-01-01T00:00:00Z') as {
      data: { codelists: { id: string; codes: { id: string; names: { en: string; ru: string } }[] }[] };
    };
    for (const list of message.data.codelists) {
      for (const code of list.codes) {
        expect([list.id, code.id]).toEqual([list.id, expect.stringMatching(/^[A-Za-z0-9_@$-]+$/)]);
        expect(code.names.en.length * code.names.ru.length).toBeGreaterThan(0);
      }
    }
    const countries = message.data.codelists.find((l) => l.id === 'CL_COUNTRY')!;
    expect(countries.codes.find((c) => c.id === 'AFG')!.names.ru).toBe('Афганистан');
  });
});
