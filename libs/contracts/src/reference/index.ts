import { BORDER_CROSSING_POINTS, BorderCrossingPoint } from './border-crossing-points';
export * from './age-band';
import {
  AGE_BANDS,
  CATEGORIES,
  COUNTRY_CODES,
  DIRECTIONS,
  DOCUMENT_TYPES,
  PROVIDER_STATES,
  REFERRAL_PATHWAYS,
  SEXES,
  SPECIFIC_NEEDS,
  STATELESS,
  UNKNOWN_COUNTRY,
} from './codes';

export * from './codes';
export * from './border-crossing-points';
export * from './countries';
export * from './labels';

const bcpByCode = new Map(BORDER_CROSSING_POINTS.map((p) => [p.code, p]));

export function findBorderCrossingPoint(code: string): BorderCrossingPoint | undefined {
  return bcpByCode.get(code);
}

/** The code lists both services publish at `GET /v1/reference`, so that integrators can
 * validate before they post. */
export function referenceCatalogue() {
  return {
    providerStates: PROVIDER_STATES,
    directions: DIRECTIONS,
    categories: CATEGORIES,
    sexes: SEXES,
    ageBands: AGE_BANDS,
    specificNeeds: SPECIFIC_NEEDS,
    referralPathways: REFERRAL_PATHWAYS,
    documentTypes: DOCUMENT_TYPES,
    countries: { codes: COUNTRY_CODES, stateless: STATELESS, unknown: UNKNOWN_COUNTRY, standard: 'ISO 3166-1 alpha-2' },
    borderCrossingPoints: BORDER_CROSSING_POINTS,
  };
}
