import type { Language } from '@caravanserai/contracts';
import { AGENCY, codeName, codelist, DATAFLOWS, dataflowUrn, DIMENSIONS, FREQ } from './sdmx-structure';
import { periodBounds, StatTable } from './table';

export const SDMX_JSON_DATA_SCHEMA = 'https://raw.githubusercontent.com/sdmx-twg/sdmx-json/master/data-message/tools/schemas/2.0.0/sdmx-json-data-schema.json';

type Names = { en: string; ru: string };
const named = (names: Names, language: Language) => ({ name: names[language], names: { [language]: names[language] } });

/**
 * SDMX-JSON 2.0.0 data message (sdmx-twg/sdmx-json, data-message field guide and schema), flat:
 * every dimension at observation level, each observation keyed by its value indices
 * ("0:3:1:…") and holding [OBS_VALUE, OBS_STATUS index, CONF_STATUS index]. Names in the
 * caller's language (Accept-Language, en or ru). A withheld value is null with OBS_STATUS Q and
 * CONF_STATUS C. The disclosure block's notes go with the structure as an annotation, and the
 * release is named in the data set, so that a reader of the file alone knows what it holds.
 */
export function toSdmxJson(table: StatTable, language: Language, prepared: string, id: string): object {
  const columns = [
    { id: 'FREQ', names: { en: 'Frequency', ru: 'Периодичность' }, list: 'CL_FREQ', value: () => FREQ[table.granularity] },
    ...table.dimensions.map((d) => ({
      id: DIMENSIONS[d].id,
      names: DIMENSIONS[d].names,
      list: DIMENSIONS[d].codelist,
      value: (o: StatTable['observations'][number]) => DIMENSIONS[d].code(o.dims[d]),
    })),
    { id: 'MEASURE', names: { en: 'Measure', ru: 'Показатель' }, list: 'CL_MEASURE', value: (o: StatTable['observations'][number]) => o.measure },
    { id: 'TIME_PERIOD', names: { en: 'Time period', ru: 'Период' }, list: null, value: (o: StatTable['observations'][number]) => o.period },
  ];
  const values = columns.map(() => new Map<string, number>());
  const attrs = { OBS_STATUS: new Map<string, number>(), CONF_STATUS: new Map<string, number>() };
  const index = (m: Map<string, number>, v: string) => {
    let i = m.get(v);
    if (i === undefined) m.set(v, (i = m.size));
    return i;
  };
  const observations: Record<string, (number | null)[]> = {};
  for (const o of table.observations) {
    const key = columns.map((c, i) => index(values[i], c.value(o))).join(':');
    observations[key] = [o.value, index(attrs.OBS_STATUS, o.flags.obsStatus), index(attrs.CONF_STATUS, o.flags.confStatus)];
  }
  const flow = DATAFLOWS[table.dataset];
  const links = [{ rel: 'dataflow', urn: dataflowUrn(table.dataset) }];
  const attribute = (attrId: 'OBS_STATUS' | 'CONF_STATUS', names: Names) => ({
    id: attrId,
    ...named(names, language),
    relationship: { observation: {} },
    values: [...attrs[attrId].keys()].map((v) => ({ id: v, ...named(codelist(`CL_${attrId}`)!.codes.find((k) => k.id === v)!.names, language) })),
  });
  const d = table.disclosure;
  return {
    meta: {
      schema: SDMX_JSON_DATA_SCHEMA,
      id,
      prepared,
      test: false,
      contentLanguages: [language],
      sender: { id: AGENCY, name: 'Caravanserai regional aggregator' },
    },
    data: {
      structures: [
        {
          dataSets: [0],
          links,
          ...named({ en: flow.en, ru: flow.ru }, language),
          dimensions: {
            dataSet: [],
            series: [],
            observation: columns.map((c, i) => ({
              id: c.id,
              ...named(c.names, language),
              keyPosition: i,
              ...(c.id === 'TIME_PERIOD' ? { roles: ['TIME_PERIOD'] } : {}),
              values: [...values[i].keys()].map((v) => {
                if (c.id === 'TIME_PERIOD') {
                  const { start, end } = periodBounds(v);
                  return { id: v, name: v, names: { [language]: v }, start: `${start}T00:00:00Z`, end: `${end}T23:59:59Z` };
                }
                const label = codeName(c.list, v, language);
                return { id: v, name: label, names: { [language]: label } };
              }),
            })),
          },
          measures: { observation: [{ id: 'OBS_VALUE', ...named({ en: 'Observation value', ru: 'Значение' }, language) }] },
          attributes: {
            dataSet: [],
            series: [],
            observation: [
              attribute('OBS_STATUS', { en: 'Observation status', ru: 'Статус наблюдения' }),
              attribute('CONF_STATUS', { en: 'Confidentiality status', ru: 'Статус конфиденциальности' }),
            ],
          },
          annotations: [
            { id: 'disclosure', type: 'NOTE', title: `Disclosure control, as seen by ${d.principal}`, text: d.notes.join(' ') },
            { id: 'period', type: 'NOTE', title: 'Period asked', text: `${table.from}/${table.to}` },
          ],
        },
      ],
      dataSets: [
        {
          structure: 0,
          action: 'Information',
          links,
          ...(table.release ? { reportingBegin: table.from, reportingEnd: table.to, validFrom: table.release.cutAt } : {}),
          annotations: [0, 1],
          observations,
        },
      ],
    },
  };
}
