import type { FieldError } from '@caravanserai/contracts';
import { PROBLEM_CATALOGUE, STATUS_TITLES } from './catalogue';
import { fieldMessageRu } from './field-messages';
import type { ProblemLanguage } from './language';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * The problem type of a code. A URN rather than an https URL: the type is an identifier that
 * RFC 9457 lets be non-resolvable, and no server of this project publishes pages for it (a
 * deployment may run without outside access); unlike a `tag:` URI it needs no domain name the
 * project owns. It maps one to one to the stable `code`, which stays in the body as before.
 */
export const problemType = (code: string): string => `urn:caravanserai:problem:${code}`;

/** Which request the problem is about: its id, as in the x-request-id header and the logs. */
export const problemInstance = (requestId: string): string => `urn:caravanserai:request:${requestId}`;

/** RFC 9457's members: an error's own details may not take their names. */
const RESERVED = new Set(['type', 'title', 'status', 'detail', 'instance', 'code', 'message', 'errors', 'requestId']);

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  /** The same text as `detail`, kept for callers that read it from before problem+json. */
  message: string;
  errors?: FieldError[];
  requestId?: string;
  [extension: string]: unknown;
}

export interface ProblemSource {
  status: number;
  code: string;
  /** The English detail: the error's own message. */
  detail: string;
  errors?: FieldError[];
  extensions?: Record<string, unknown>;
  /** ValidationFailed: whether the content was refused as a whole (422, nothing stored). */
  nothingStored?: boolean;
}

export function titleOf(code: string, status: number, lang: ProblemLanguage): string {
  return (PROBLEM_CATALOGUE[code]?.title ?? STATUS_TITLES[status] ?? STATUS_TITLES[status >= 500 ? 500 : 400])[lang];
}

/** The Russian detail of a code from its English one (a catalogue pattern, else the fallback). */
export function detailRu(code: string, status: number, detail: string): string {
  const entry = PROBLEM_CATALOGUE[code];
  if (!entry) return titleOf(code, status, 'ru');
  for (const [pattern, ru] of entry.ru.patterns ?? []) if (pattern.test(detail)) return detail.replace(pattern, ru);
  return entry.ru.fallback;
}

function localiseErrors(errors: FieldError[]): FieldError[] {
  return errors.map((e) => ({ ...e, message: fieldMessageRu(e.message) ?? e.message }));
}

/** The validation summary in Russian, as ValidationFailed writes it in English. */
function validationSummaryRu(errors: FieldError[], nothingStored: boolean): string {
  const shown = errors.slice(0, 3).map((e) => `${e.index === undefined ? '' : `запись ${e.index}, `}${e.field}: ${e.message}`);
  const more = errors.length > shown.length ? ` (и ещё ${errors.length - shown.length})` : '';
  return `ошибок проверки: ${errors.length}: ${shown.join('; ')}${more}${nothingStored ? '; ничего не сохранено' : ''}`;
}

/** The problem+json body of an error, in the caller's language. */
export function toProblem(source: ProblemSource, lang: ProblemLanguage, requestId?: string): ProblemDetails {
  const { status, code } = source;
  const errors = source.errors && lang === 'ru' ? localiseErrors(source.errors) : source.errors;
  let detail = source.detail;
  if (lang === 'ru')
    detail = code === 'VALIDATION.FAILED' && errors ? validationSummaryRu(errors, source.nothingStored ?? false) : detailRu(code, status, source.detail);
  const extensions = Object.fromEntries(Object.entries(source.extensions ?? {}).filter(([k]) => !RESERVED.has(k)));
  return {
    ...extensions,
    type: problemType(code),
    title: titleOf(code, status, lang),
    status,
    detail,
    ...(requestId ? { instance: problemInstance(requestId) } : {}),
    code,
    message: detail,
    ...(errors ? { errors } : {}),
    ...(requestId ? { requestId } : {}),
  };
}
