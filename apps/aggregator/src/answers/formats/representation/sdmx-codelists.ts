import type { Language } from '@caravanserai/contracts';
import { AGENCY, Codelist } from './sdmx-structure';

export const SDMX_JSON_STRUCTURE_SCHEMA =
  'https://raw.githubusercontent.com/sdmx-twg/sdmx-json/master/structure-message/tools/schemas/2.0.0/sdmx-json-structure-schema.json';

/**
 * An SDMX-JSON 2.0.0 structure message holding code lists, every name in English and Russian
 * (`names`) and `name` in the caller's language. Country codes carry their ISO 3166-1 alpha-2 in
 * an annotation, the code the API's JSON answers use.
 */
export function codelistsMessage(lists: Codelist[], language: Language, prepared: string): object {
  return {
    meta: {
      schema: SDMX_JSON_STRUCTURE_SCHEMA,
      id: `${AGENCY}-CODELISTS-${lists.map((l) => l.id).join('-')}`.slice(0, 200),
      prepared,
      test: false,
      contentLanguages: ['en', 'ru'],
      sender: { id: AGENCY, name: 'Caravanserai regional aggregator' },
    },
    data: {
      codelists: lists.map((l) => ({
        id: l.id,
        agencyID: l.agencyID,
        version: l.version,
        name: l.names[language],
        names: l.names,
        isExternalReference: false,
        ...(l.isPartial ? { isPartial: true } : {}),
        codes: l.codes.map((c) => ({
          id: c.id,
          name: c.names[language],
          names: c.names,
          ...(c.alpha2 ? { annotations: [{ type: 'ISO3166-1-ALPHA2', title: c.alpha2 }] } : {}),
        })),
      })),
    },
  };
}
