// Words, not codes: the labels /v1/reference carries for every code (libs/contracts
// reference/labels.ts), in the page's current language. A code without a label shows as itself.
import { currentLang } from './i18n.js';

let catalogue = {};

export function setLabels(labels) {
  catalogue = labels ?? {};
}

/** The label of `code` in `list`, in the current language. */
export function label(list, code) {
  if (code === null || code === undefined) return '';
  const entries = catalogue[list];
  const entry = entries && Object.hasOwn(entries, code) ? entries[code] : null;
  return entry ? (entry[currentLang()] ?? entry.en) : String(code);
}

export const country = (code) => label('countries', code);

/** A route `AF>IR>TR` as its three countries' names. */
export const routeLabel = (route) => String(route).split('>').map(country).join(' → ');

const granularity = (g) => label('timeGranularities', g).toLowerCase();

/** How the values of each disclosure reason read in words (see disclosureReasons in the catalogue). */
const ARGS = {
  dimensions_not_allowed: ([dims]) => [
    dims
      .split(', ')
      .map((d) => label('dimensions', d))
      .join(', '),
  ],
  granularity_too_fine: ([allowed, asked]) => [granularity(allowed), granularity(asked)],
  granularity_raised: ([was, now, agreement, provider]) => [granularity(was), granularity(now), agreement, country(provider)],
  period_widened: ([g, from, to]) => [granularity(g), from, to],
};

/** A reason of the answer's disclosure block (English text made from a template of the
 * catalogue) in the current language: the template is matched, its values labelled, and the
 * other language's template filled. A text no template matches is shown as it came. */
export function reasonLabel(text) {
  for (const [code, l] of Object.entries(catalogue.disclosureReasons ?? {})) {
    const pattern = l.en
      .split(/\{\d\}/)
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('(.+?)');
    const match = new RegExp(`^${pattern}$`).exec(text);
    if (!match) continue;
    const args = (ARGS[code] ?? ((a) => a))(match.slice(1));
    return (l[currentLang()] ?? l.en).replace(/\{(\d)\}/g, (_, i) => String(args[Number(i)] ?? ''));
  }
  return text;
}
