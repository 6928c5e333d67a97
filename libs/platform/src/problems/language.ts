/** The languages error messages are written in; English is the default. */
export const PROBLEM_LANGUAGES = ['en', 'ru'] as const;
export type ProblemLanguage = (typeof PROBLEM_LANGUAGES)[number];

/**
 * The language of an answer from an `Accept-Language` header (RFC 9110 §12.5.4): the supported
 * language with the highest weight, matched on the primary subtag (`ru-RU` is `ru`); on equal
 * weights the one named first; `*` stands for English; `q=0` rules a language out. Nothing
 * supported asked for, or no header: English.
 */
export function negotiateLanguage(header: string | string[] | undefined): ProblemLanguage {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return 'en';
  let best: { lang: ProblemLanguage; q: number } | null = null;
  for (const part of value.split(',')) {
    const [rawTag, ...params] = part.trim().split(';');
    const tag = rawTag.trim().toLowerCase();
    if (!tag) continue;
    const qParam = params.map((p) => p.trim()).find((p) => /^q=/i.test(p));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q) || q <= 0 || q > 1) continue;
    const primary = tag === '*' ? 'en' : tag.split('-')[0];
    const lang = PROBLEM_LANGUAGES.find((l) => l === primary);
    if (lang && (best === null || q > best.q)) best = { lang, q };
  }
  return best?.lang ?? 'en';
}
