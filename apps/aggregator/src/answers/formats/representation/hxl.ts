import type { Language } from '@caravanserai/contracts';
import { alpha3Of, labelOf } from '@caravanserai/contracts';
import { csvCell, CsvDelimiter } from '@caravanserai/platform';
import { parseRoute } from '../../flow-answer';
import { codeName, DIMENSIONS } from './sdmx-structure';
import { Observation, periodBounds, StatTable } from './table';

/** A column of the HXL table: its header (words), its hashtag and how a row fills it. */
type Column = { header: string; tag: string; value: (row: Row) => unknown };
type Row = { period: string; dims: Record<string, string>; obs: Map<string, Observation> };

const COUNTRY_ROLE: Record<string, string> = { provider: 'reported', departedFrom: 'origin', intendedDestination: 'dest', citizenship: 'nationality' };
const CODED_TAG: Record<string, string> = {
  borderCrossingPoint: '#loc+crossing',
  direction: '#meta+direction',
  category: '#population_group',
  sex: '#meta+sex',
  ageBand: '#meta+age_group',
  referredTo: '#service+pathway',
  status: '#status+referral',
  needs: '#meta+specific_needs',
};
const MEASURE_TAG: Record<string, string> = {
  MOVEMENTS: '#affected+crossings',
  REFERRALS: '#affected+referred',
  ACCEPTANCE_RATE: '#indicator+pct+accepted',
  REACHED_CLOSURE: '#affected+referred+closed_ever',
  STALLED: '#affected+referred+stalled',
};
const measureTag = (m: string) =>
  MEASURE_TAG[m] ?? (m.startsWith('HOURS_') ? `#value+${m.toLowerCase().replace(/_/g, '+')}` : `#affected+referred+${m.toLowerCase()}`);

function countryColumns(role: string, header: string, alpha2: (row: Row) => string, language: Language): Column[] {
  return [
    { header: `${header} (ISO 3166-1 alpha-2)`, tag: `#country+${role}+code+v_iso2`, value: (r) => alpha2(r) },
    { header: `${header} (ISO 3166-1 alpha-3)`, tag: `#country+${role}+code+v_iso3`, value: (r) => alpha3Of(alpha2(r)) },
    { header, tag: `#country+${role}+name+i_${language}`, value: (r) => labelOf('countries', alpha2(r), language) },
  ];
}

/**
 * A CSV with HXL hashtags (HXL 1.1 tagging conventions: a header row, then a hashtag row, then the
 * data), for humanitarian tools (HDX, the HXL Proxy, Excel with HXL templates). One row per row of
 * the answer; periods are ISO 8601 (#date) with their first and last day; countries in alpha-2
 * (+v_iso2), alpha-3 (+v_iso3) and by name in the caller's language; coded values with their
 * label. A withheld figure is an empty cell, and #meta+disclosure says how the row's figures were
 * published (exact, adjusted by the cell-key method, which ones are withheld) — from the same
 * flags as SDMX, which depend on nothing but what the answer publishes.
 */
export function toHxl(table: StatTable, language: Language, delimiter: CsvDelimiter = ','): string {
  const rows = new Map<string, Row>();
  for (const o of table.observations) {
    const key = JSON.stringify([o.period, ...table.dimensions.map((d) => o.dims[d])]);
    const row = rows.get(key) ?? { period: o.period, dims: o.dims, obs: new Map() };
    row.obs.set(o.measure, o);
    rows.set(key, row);
  }
  const word = (key: string) => labelOf('dimensions', key, language);
  const columns: Column[] = [
    { header: language === 'ru' ? 'Период' : 'Period', tag: '#date', value: (r) => r.period },
    { header: language === 'ru' ? 'Начало' : 'Start', tag: '#date+start', value: (r) => periodBounds(r.period).start },
    { header: language === 'ru' ? 'Конец' : 'End', tag: '#date+end', value: (r) => periodBounds(r.period).end },
  ];
  for (const d of table.dimensions) {
    if (d === 'route') {
      const part = (i: number) => (r: Row) => parseRoute(r.dims.route)![i];
      columns.push({ header: word('route'), tag: '#meta+route', value: (r) => r.dims.route });
      columns.push(...countryColumns('origin', word('departedFrom'), part(0), language));
      columns.push(...countryColumns('reported', word('provider'), part(1), language));
      columns.push(...countryColumns('dest', word('intendedDestination'), part(2), language));
    } else if (COUNTRY_ROLE[d]) {
      columns.push(...countryColumns(COUNTRY_ROLE[d], word(d), (r) => r.dims[d], language));
    } else {
      const dim = DIMENSIONS[d];
      columns.push({ header: `${dim.names[language]} (code)`, tag: `${CODED_TAG[d]}+code`, value: (r) => r.dims[d] });
      columns.push({
        header: dim.names[language],
        tag: `${CODED_TAG[d]}+name+i_${language}`,
        value: (r) => codeName(dim.codelist, dim.code(r.dims[d]), language),
      });
    }
  }
  const decimal = delimiter === ';' ? ',' : '.';
  for (const m of table.measures) {
    columns.push({
      header: m.toLowerCase(),
      tag: measureTag(m),
      value: (r) => {
        const v = r.obs.get(m)?.value;
        return v === null || v === undefined ? '' : String(v).replace('.', decimal);
      },
    });
  }
  columns.push({ header: language === 'ru' ? 'Раскрытие' : 'Disclosure', tag: '#meta+disclosure', value: (r) => disclosureNote([...r.obs.values()]) });

  const line = (cells: unknown[]) => cells.map((c) => csvCell(c, delimiter)).join(delimiter);
  const lines = [line(columns.map((c) => c.header)), line(columns.map((c) => c.tag))];
  for (const r of rows.values()) lines.push(line(columns.map((c) => c.value(r))));
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

/** How a row's figures were published, from their flags only. */
function disclosureNote(obs: Observation[]): string {
  const withheld = obs.filter((o) => o.flags.confStatus === 'C').map((o) => o.measure.toLowerCase());
  const kind = obs.some((o) => o.flags.obsStatus === 'E' || o.flags.obsStatus === 'Q') ? 'adjusted' : 'exact';
  return withheld.length > 0 ? `${kind}; withheld: ${withheld.join(' ')}` : kind;
}
