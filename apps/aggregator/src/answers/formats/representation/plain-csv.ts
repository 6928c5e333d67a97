import { csvCell, CsvDelimiter } from '@caravanserai/platform';
import type { DisclosureReport, ReleaseRef } from '../../../disclosure/domain/disclosure-report';
import type { FlowAnswer } from '../../flow-answer';
import type { ReferralSummary } from '../../referral-summary';
import { REFERRAL_MEASURES } from './table';

/**
 * The CSV for spreadsheets: a UTF-8 byte order mark (so that Excel reads the Russian words as
 * UTF-8), what applied to the answer (release, agreements, coarsening, protection) first as `#`
 * comment lines in words, then the answer's cells. With `;` as the separator (a Russian-locale
 * spreadsheet's list separator) decimals are written with a comma, as that locale reads them.
 * Every text goes through csvCell, which quotes the separator and shows formulas as text.
 */
function comments(kind: string, answer: { from: string; to: string; granularity: string }, d: DisclosureReport, release: ReleaseRef | null): string[] {
  return [
    `# caravanserai ${kind} ${answer.from} … ${answer.to} by ${answer.granularity}, as seen by ${d.principal}`,
    `# release: ${release ? `${release.id}, cut ${release.cutAt}, data up to ${release.dataUntil}` : 'none yet'}`,
    ...d.agreements.map(
      (a) => `# ${a.provider}: ${a.agreement} (k = ${a.minCellSize}, finest ${a.minTimeGranularity}${a.dataUntil ? `, up to ${a.dataUntil}` : ''})`,
    ),
    ...d.leftOut.map((l) => `# left out ${l.provider}: ${l.reason} (${l.agreement})`),
    ...d.coarsened.map((c) => `# coarsened: ${c}`),
    ...d.notes.map((n) => `# ${n}`),
  ];
}

function write(lines: string[], rows: unknown[][], delimiter: CsvDelimiter): string {
  const decimal = (v: unknown) => (delimiter === ';' && typeof v === 'number' && !Number.isInteger(v) ? String(v).replace('.', ',') : v);
  const data = rows.map((cells) => cells.map((c) => csvCell(decimal(c), delimiter)).join(delimiter));
  return '\uFEFF' + [...lines, ...data].join('\r\n') + '\r\n';
}

export function flowsCsv(answer: FlowAnswer, delimiter: CsvDelimiter = ','): string {
  const header = ['period', ...answer.query.groupBy, 'count'];
  const rows = answer.rows.map((row) => header.map((h) => (row as Record<string, unknown>)[h]));
  return write([...comments('flows', answer, answer.disclosure, answer.release), header.join(delimiter)], rows, delimiter);
}

const REFERRAL_COLUMNS: [string, string][] = [
  ['REFERRALS', 'referrals'],
  ['STATUS_MADE', 'made'],
  ['STATUS_ACKNOWLEDGED', 'acknowledged'],
  ['STATUS_ACCEPTED', 'accepted'],
  ['STATUS_DECLINED', 'declined'],
  ['STATUS_CLOSED', 'closed'],
  ['ACCEPTED_EVER', 'accepted_ever'],
  ['DECLINED_EVER', 'declined_ever'],
  ['ACCEPTANCE_RATE', 'acceptance_rate'],
  ['HOURS_TO_ACCEPTANCE_MEDIAN', 'hours_to_acceptance_median'],
  ['HOURS_TO_ACCEPTANCE_P90', 'hours_to_acceptance_p90'],
  ['HOURS_TO_CLOSURE_MEDIAN', 'hours_to_closure_median'],
  ['HOURS_TO_CLOSURE_P90', 'hours_to_closure_p90'],
  ['STALLED', 'stalled'],
];
const measure = new Map(REFERRAL_MEASURES);

export function referralsCsv(answer: ReferralSummary, delimiter: CsvDelimiter = ','): string {
  const dims = answer.query.groupBy;
  const header = ['period', ...dims, ...REFERRAL_COLUMNS.map(([, h]) => h)];
  const rows = answer.rows.map((row) => [row.period, ...dims.map((d) => row[d]), ...REFERRAL_COLUMNS.map(([m]) => measure.get(m)!(row))]);
  return write([...comments('referrals', answer, answer.disclosure, answer.release), header.join(delimiter)], rows, delimiter);
}
