/** Code lists of the event contract. Every list is a readonly tuple so that its union type
 * and its runtime check come from one place. */

export const PROVIDER_STATES = ['AF', 'AZ', 'CN', 'IR', 'KZ', 'KG', 'PK', 'TR', 'TM'] as const;
export type ProviderState = (typeof PROVIDER_STATES)[number];

export const DIRECTIONS = ['entry', 'exit'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const CATEGORIES = [
  'refugee',
  'asylum_seeker',
  'labour_migrant',
  'irregular_migrant',
  'smuggled_migrant',
  'victim_of_trafficking',
  'unaccompanied_child',
  'separated_child',
  'stateless',
  'returnee',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const SEXES = ['female', 'male', 'other', 'unknown'] as const;
export type Sex = (typeof SEXES)[number];

export const AGE_BANDS = ['0-4', '5-11', '12-17', '18-59', '60+', 'unknown'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

/** Specific needs recorded at profiling, after UNHCR's specific-needs codes, coarsened so that
 * no code is itself a narrative about a person. */
export const SPECIFIC_NEEDS = [
  'unaccompanied_or_separated_child',
  'child_at_risk',
  'woman_at_risk',
  'older_person_at_risk',
  'single_parent',
  'disability',
  'serious_medical_condition',
  'pregnant_or_lactating',
  'survivor_of_violence_or_torture',
  'gbv_survivor',
  'trafficking_indicators',
  'legal_protection_need',
] as const;
export type SpecificNeed = (typeof SPECIFIC_NEEDS)[number];

export const REFERRAL_PATHWAYS = [
  'asylum_authority',
  'child_protection',
  'anti_trafficking',
  'medical',
  'psychosocial',
  'legal_aid',
  'shelter',
  'unhcr',
  'iom',
  'return_assistance',
] as const;
export type ReferralPathway = (typeof REFERRAL_PATHWAYS)[number];

export const DOCUMENT_TYPES = ['passport', 'national_id', 'travel_document', 'refugee_card', 'none', 'other'] as const;

/** ISO 3166-1 alpha-2, officially assigned codes. */
export const ISO_COUNTRIES = (
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW ' +
  'BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI ' +
  'FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN ' +
  'IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME ' +
  'MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF ' +
  'PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV ' +
  'SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE ' +
  'YT ZA ZM ZW'
).split(' ');

/** `XX` stateless and `ZZ` unknown, as in the architecture's citizenship field. */
export const STATELESS = 'XX';
export const UNKNOWN_COUNTRY = 'ZZ';
export const COUNTRY_CODES: readonly string[] = [...ISO_COUNTRIES, STATELESS, UNKNOWN_COUNTRY];

const countrySet = new Set(COUNTRY_CODES);
export const isCountryCode = (code: string): boolean => countrySet.has(code);
