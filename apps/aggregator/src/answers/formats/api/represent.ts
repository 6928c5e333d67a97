import { CSV_DELIMITERS, etagOf, negotiateLanguage } from '@caravanserai/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FlowAnswer } from '../../flow-answer';
import type { ReferralSummary } from '../../referral-summary';
import { toHxl } from '../representation/hxl';
import { Delimiter, Format, MEDIA_TYPES, negotiate } from '../representation/negotiate';
import { flowsCsv, referralsCsv } from '../representation/plain-csv';
import { toSdmxCsv } from '../representation/sdmx-csv';
import { toSdmxJson } from '../representation/sdmx-json';
import { Dataset, flowsTable, referralsTable } from '../representation/table';

type Answer = FlowAnswer | ReferralSummary;
interface Rendered {
  body: string;
  etag: string;
}

/** Each answer's representations, made once: a kept answer (see QueryFlowsHandler) comes back as
 * the same object, so a repeated question is neither serialised nor hashed again; dropped with it. */
const rendered = new WeakMap<Answer, Map<string, Rendered>>();

function render(dataset: Dataset, answer: Answer, format: Format, delimiter: Delimiter, language: 'en' | 'ru'): string {
  const sep = CSV_DELIMITERS[delimiter];
  const table = () => (dataset === 'flows' ? flowsTable(answer as FlowAnswer) : referralsTable(answer as ReferralSummary));
  switch (format) {
    case 'json':
      return JSON.stringify(answer);
    case 'csv':
      return dataset === 'flows' ? flowsCsv(answer as FlowAnswer, sep) : referralsCsv(answer as ReferralSummary, sep);
    case 'sdmx-csv':
      return toSdmxCsv(table(), sep);
    case 'sdmx-json': {
      const t = table();
      const prepared = answer.release?.cutAt ?? `${t.to}T00:00:00Z`;
      return JSON.stringify(toSdmxJson(t, language, prepared, `${dataset.toUpperCase()}-${answer.release?.id ?? 'NONE'}`));
    }
    case 'hxl':
      return toHxl(table(), language, sep);
  }
}

const EXTENSIONS: Record<Format, string> = { json: 'json', csv: 'csv', 'sdmx-csv': 'sdmx.csv', 'sdmx-json': 'sdmx.json', hxl: 'hxl.csv' };

/**
 * The answer in the format the caller chose (`?format=`, else `Accept`), with its media type, a
 * file name for the CSV formats, the language of its words (SDMX-JSON and HXL name codes in the
 * caller's `Accept-Language`) and its entity tag; the route (@Conditional(), or
 * answerConditionally called by the flows controller) turns a matching `If-None-Match` into 304.
 */
export function represent(
  dataset: Dataset,
  answer: Answer,
  request: FastifyRequest,
  reply: FastifyReply,
  options: { format?: Format; delimiter?: Delimiter },
): string {
  const format = negotiate(options.format, request.headers.accept);
  const delimiter = options.delimiter ?? 'comma';
  const language = negotiateLanguage(request.headers['accept-language']);
  const wordy = format === 'sdmx-json' || format === 'hxl';
  const key = `${format}|${delimiter}|${wordy ? language : ''}`;
  let byVariant = rendered.get(answer);
  if (!byVariant) rendered.set(answer, (byVariant = new Map()));
  let out = byVariant.get(key);
  if (!out) {
    const body = render(dataset, answer, format, delimiter, language);
    out = { body, etag: etagOf(body) };
    byVariant.set(key, out);
  }
  reply.header('content-type', MEDIA_TYPES[format]);
  if (wordy) reply.header('content-language', language);
  if (format !== 'json' && format !== 'sdmx-json') {
    const name = dataset === 'flows' ? 'flows' : 'referrals';
    reply.header('content-disposition', `attachment; filename="${name}_${answer.from}_${answer.to}.${EXTENSIONS[format]}"`);
  }
  reply.header('etag', out.etag);
  return out.body;
}
