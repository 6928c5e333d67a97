import { csvCell, CsvDelimiter } from '@caravanserai/platform';
import { dataflowRef, DIMENSIONS, FREQ } from './sdmx-structure';
import { StatTable } from './table';

/**
 * SDMX-CSV 2.0.0 data message (sdmx-twg/sdmx-csv, data-message field guide): the header row
 * STRUCTURE, STRUCTURE_ID, ACTION, then the dimensions the answer is grouped by (with FREQ,
 * MEASURE and TIME_PERIOD), OBS_VALUE and the observation attributes OBS_STATUS and CONF_STATUS;
 * one row per observation, action I (information). A withheld value has an empty OBS_VALUE with
 * OBS_STATUS Q and CONF_STATUS C. Codes only (labels=id, the default); their names are in the
 * code lists at /v1/sdmx/codelists. The separator may be `;` (the guide allows it for a locale),
 * numbers keep the decimal point.
 */
export function toSdmxCsv(table: StatTable, delimiter: CsvDelimiter = ','): string {
  const dims = table.dimensions.map((d) => DIMENSIONS[d]);
  const header = ['STRUCTURE', 'STRUCTURE_ID', 'ACTION', 'FREQ', ...dims.map((d) => d.id), 'MEASURE', 'TIME_PERIOD', 'OBS_VALUE', 'OBS_STATUS', 'CONF_STATUS'];
  const structure = dataflowRef(table.dataset);
  const freq = FREQ[table.granularity];
  const lines = [header.join(delimiter)];
  for (const o of table.observations) {
    const cells = [
      'dataflow',
      structure,
      'I',
      freq,
      ...table.dimensions.map((d) => DIMENSIONS[d].code(o.dims[d])),
      o.measure,
      o.period,
      o.value === null ? '' : o.value,
      o.flags.obsStatus,
      o.flags.confStatus,
    ];
    lines.push(cells.map((c) => csvCell(c, delimiter)).join(delimiter));
  }
  return lines.join('\r\n') + '\r\n';
}
