/** The representations of flows and referral summaries, by `?format=` name. */
export const FORMATS = ['json', 'csv', 'sdmx-csv', 'sdmx-json', 'hxl'] as const;
export type Format = (typeof FORMATS)[number];

export const DELIMITERS = ['comma', 'semicolon'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

export const MEDIA_TYPES: Record<Format, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8; header=present',
  'sdmx-csv': 'application/vnd.sdmx.data+csv; version=2.0.0; charset=utf-8',
  'sdmx-json': 'application/vnd.sdmx.data+json; version=2.0.0; charset=utf-8',
  hxl: 'text/csv; charset=utf-8; header=present',
};

const BY_MEDIA: Record<string, Format> = {
  'application/vnd.sdmx.data+csv': 'sdmx-csv',
  'application/vnd.sdmx.data+json': 'sdmx-json',
  'text/csv': 'csv',
  'application/json': 'json',
  'application/*': 'json',
  '*/*': 'json',
};

/**
 * `?format=` wins (so that a browser link or Power Query, which cannot set Accept, gets what it
 * asks for; validated by the DTO, so an unknown one is a 400); else the most preferred media type
 * of `Accept` that we serve (an SDMX type only in its version 2, or with no version); else JSON.
 */
export function negotiate(format: Format | undefined, accept: string | undefined): Format {
  if (format) return format;
  const offers = (accept ?? '')
    .split(',')
    .map((part, order) => {
      const [type, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const param = (name: string) =>
        params
          .find((p) => p.startsWith(`${name}=`))
          ?.slice(name.length + 1)
          .replace(/"/g, '');
      const q = Number(param('q') ?? 1);
      const version = param('version');
      return { type, q: Number.isFinite(q) ? q : 0, version, order };
    })
    .filter((o) => o.q > 0 && BY_MEDIA[o.type] && !(o.type.includes('sdmx') && o.version && !o.version.startsWith('2')))
    .sort((a, b) => b.q - a.q || a.order - b.order);
  return offers.length > 0 ? BY_MEDIA[offers[0].type] : 'json';
}
