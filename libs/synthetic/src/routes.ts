import type { AgeBand, Category, Direction, Sex } from '@caravanserai/contracts';

export type Mix<K extends string> = Partial<Record<K, number>>;

/** One flow as one national system records it. Volumes are mean records per day at scale 1.0,
 * calibrated on /work/shared/design/SCENARIO.md (UNHCR 2025 returns, IOM flow monitoring). */
export interface RouteSpec {
  /** `provider:direction:from>to`, e.g. `AF:entry:IR>AF`: what surges refer to. */
  id: string;
  /** The reporting state; every crossing point must be on its side (`state === provider`). */
  provider: string;
  direction: Direction;
  departedFrom: string | null;
  intendedDestination: string | null;
  crossingPoints: string[];
  /** Share of each crossing point, parallel to `crossingPoints`; equal shares if omitted. */
  pointWeights?: number[];
  dailyVolume: number;
  categoryMix: Mix<Category>;
  citizenshipMix: Record<string, number>;
  sexMix: Mix<Sex>;
  ageMix: Mix<AgeBand>;
  /** Probability that a record carries a specific need beyond those its category implies. */
  needsRate: number;
  /** Twelve monthly factors (January first, mean about 1), e.g. the spring labour peak. */
  seasonality?: number[];
}

// Shared mixes: who crosses, by kind of flow.
const MOSTLY_MEN: Mix<Sex> = { male: 0.78, female: 0.21, unknown: 0.01 };
const FAMILIES_SEX: Mix<Sex> = { male: 0.52, female: 0.47, unknown: 0.01 };
const TRAVELLERS_SEX: Mix<Sex> = { male: 0.6, female: 0.39, other: 0.005, unknown: 0.005 };
const FAMILIES: Mix<AgeBand> = { '0-4': 0.14, '5-11': 0.18, '12-17': 0.12, '18-59': 0.49, '60+': 0.04, unknown: 0.03 };
const DEPORTEES: Mix<AgeBand> = { '0-4': 0.07, '5-11': 0.09, '12-17': 0.09, '18-59': 0.69, '60+': 0.03, unknown: 0.03 };
const ONWARD: Mix<AgeBand> = { '0-4': 0.04, '5-11': 0.06, '12-17': 0.12, '18-59': 0.74, '60+': 0.01, unknown: 0.03 };
const WORKERS: Mix<AgeBand> = { '12-17': 0.02, '18-59': 0.93, '60+': 0.02, unknown: 0.03 };
const TRAVELLERS: Mix<AgeBand> = { '0-4': 0.03, '5-11': 0.05, '12-17': 0.05, '18-59': 0.74, '60+': 0.1, unknown: 0.03 };

const RETURNS: Mix<Category> = { returnee: 0.88, unaccompanied_child: 0.02, separated_child: 0.01, victim_of_trafficking: 0.004, other: 0.086 };
const INTO_IRAN: Mix<Category> = {
  irregular_migrant: 0.4,
  labour_migrant: 0.3,
  smuggled_migrant: 0.08,
  refugee: 0.05,
  asylum_seeker: 0.05,
  unaccompanied_child: 0.015,
  separated_child: 0.005,
  victim_of_trafficking: 0.005,
  other: 0.095,
};
const ONWARD_CATS: Mix<Category> = {
  smuggled_migrant: 0.3,
  irregular_migrant: 0.28,
  asylum_seeker: 0.22,
  refugee: 0.05,
  unaccompanied_child: 0.05,
  separated_child: 0.02,
  victim_of_trafficking: 0.02,
  stateless: 0.01,
  other: 0.05,
};
const LABOUR: Mix<Category> = { labour_migrant: 0.75, other: 0.22, irregular_migrant: 0.02, victim_of_trafficking: 0.005, returnee: 0.005 };
const TRADE: Mix<Category> = { other: 0.8, labour_migrant: 0.17, irregular_migrant: 0.02, asylum_seeker: 0.01 };
const DEPARTURES_TO_AF: Mix<Category> = {
  returnee: 0.6,
  irregular_migrant: 0.3,
  refugee: 0.03,
  unaccompanied_child: 0.015,
  separated_child: 0.005,
  other: 0.05,
};

const SPRING_PEAK = [0.6, 0.7, 1.3, 1.6, 1.5, 1.2, 1.0, 0.9, 1.0, 0.9, 0.7, 0.6];
const AUTUMN_PEAK = [0.9, 0.7, 0.6, 0.6, 0.7, 0.8, 0.9, 1.0, 1.3, 1.5, 1.6, 1.4];

type Base = Omit<RouteSpec, 'id' | 'provider' | 'direction' | 'departedFrom' | 'intendedDestination'>;
const route = (provider: string, direction: Direction, from: string | null, to: string | null, base: Base): RouteSpec => ({
  id: `${provider}:${direction}:${from ?? '??'}>${to ?? '??'}`,
  provider,
  direction,
  departedFrom: from,
  intendedDestination: to,
  ...base,
});

export const DEFAULT_ROUTES: RouteSpec[] = [
  // Returns to Afghanistan, the largest flow: ~1.39M from Iran and ~0.56M from Pakistan in 2025.
  route('AF', 'entry', 'IR', 'AF', {
    crossingPoints: ['AF-ISLAMQALA', 'AF-ZARANJ', 'AF-ABUNASR'],
    pointWeights: [0.6, 0.32, 0.08],
    dailyVolume: 3800,
    categoryMix: RETURNS,
    citizenshipMix: { AF: 0.97, IR: 0.02, ZZ: 0.01 },
    sexMix: MOSTLY_MEN,
    ageMix: DEPORTEES,
    needsRate: 0.12,
  }),
  route('AF', 'entry', 'PK', 'AF', {
    crossingPoints: ['AF-TORKHAM', 'AF-SPINBOLDAK'],
    pointWeights: [0.65, 0.35],
    dailyVolume: 1500,
    categoryMix: RETURNS,
    citizenshipMix: { AF: 0.98, PK: 0.01, ZZ: 0.01 },
    sexMix: FAMILIES_SEX,
    ageMix: FAMILIES,
    needsRate: 0.15,
  }),
  route('IR', 'exit', 'IR', 'AF', {
    crossingPoints: ['IR-DOGHAROUN', 'IR-MILAK', 'IR-MAHIRUD'],
    pointWeights: [0.6, 0.32, 0.08],
    dailyVolume: 2500,
    categoryMix: DEPARTURES_TO_AF,
    citizenshipMix: { AF: 0.98, ZZ: 0.02 },
    sexMix: MOSTLY_MEN,
    ageMix: DEPORTEES,
    needsRate: 0.08,
  }),
  route('PK', 'exit', 'PK', 'AF', {
    crossingPoints: ['PK-TORKHAM', 'PK-CHAMAN'],
    pointWeights: [0.65, 0.35],
    dailyVolume: 1200,
    categoryMix: DEPARTURES_TO_AF,
    citizenshipMix: { AF: 0.97, PK: 0.02, ZZ: 0.01 },
    sexMix: FAMILIES_SEX,
    ageMix: FAMILIES,
    needsRate: 0.1,
  }),
  // Afghans into Iran (Islam Qala/Dogharoun, Milak), some of them onward to Türkiye.
  route('AF', 'exit', 'AF', 'IR', {
    crossingPoints: ['AF-ISLAMQALA', 'AF-ZARANJ', 'AF-ABUNASR'],
    pointWeights: [0.55, 0.35, 0.1],
    dailyVolume: 1200,
    categoryMix: INTO_IRAN,
    citizenshipMix: { AF: 0.96, IR: 0.03, ZZ: 0.01 },
    sexMix: MOSTLY_MEN,
    ageMix: ONWARD,
    needsRate: 0.06,
  }),
  route('IR', 'entry', 'AF', 'IR', {
    crossingPoints: ['IR-DOGHAROUN', 'IR-MILAK', 'IR-MAHIRUD'],
    pointWeights: [0.55, 0.35, 0.1],
    dailyVolume: 1500,
    categoryMix: INTO_IRAN,
    citizenshipMix: { AF: 0.96, IR: 0.03, ZZ: 0.01 },
    sexMix: MOSTLY_MEN,
    ageMix: ONWARD,
    needsRate: 0.06,
  }),
  route('IR', 'entry', 'AF', 'TR', {
    crossingPoints: ['IR-DOGHAROUN', 'IR-MILAK'],
    pointWeights: [0.6, 0.4],
    dailyVolume: 300,
    categoryMix: ONWARD_CATS,
    citizenshipMix: { AF: 0.95, PK: 0.02, XX: 0.01, ZZ: 0.02 },
    sexMix: MOSTLY_MEN,
    ageMix: ONWARD,
    needsRate: 0.15,
  }),
  // Afghanistan–Pakistan: closed from October 2025, reopened only for returnees; a trickle in.
  route('PK', 'entry', 'AF', 'PK', {
    crossingPoints: ['PK-TORKHAM', 'PK-CHAMAN'],
    pointWeights: [0.7, 0.3],
    dailyVolume: 400,
    categoryMix: { other: 0.35, labour_migrant: 0.3, irregular_migrant: 0.15, refugee: 0.1, asylum_seeker: 0.05, unaccompanied_child: 0.01 },
    citizenshipMix: { AF: 0.85, PK: 0.14, ZZ: 0.01 },
    sexMix: TRAVELLERS_SEX,
    ageMix: TRAVELLERS,
    needsRate: 0.08,
  }),
  // Onward from Iran into Türkiye (Kapıköy, Gürbulak, Esendere): hundreds a day.
  route('TR', 'entry', 'IR', 'TR', {
    crossingPoints: ['TR-GURBULAK', 'TR-KAPIKOY', 'TR-ESENDERE'],
    pointWeights: [0.45, 0.4, 0.15],
    dailyVolume: 250,
    categoryMix: ONWARD_CATS,
    citizenshipMix: { AF: 0.6, IR: 0.25, PK: 0.08, XX: 0.02, ZZ: 0.05 },
    sexMix: MOSTLY_MEN,
    ageMix: ONWARD,
    needsRate: 0.15,
  }),
  route('TR', 'entry', 'IR', 'DE', {
    crossingPoints: ['TR-GURBULAK', 'TR-KAPIKOY', 'TR-ESENDERE'],
    pointWeights: [0.45, 0.4, 0.15],
    dailyVolume: 100,
    categoryMix: ONWARD_CATS,
    citizenshipMix: { AF: 0.7, IR: 0.2, PK: 0.05, XX: 0.02, ZZ: 0.03 },
    sexMix: MOSTLY_MEN,
    ageMix: ONWARD,
    needsRate: 0.15,
  }),
  // Turkmenistan: traders and transit.
  route('TM', 'entry', 'AF', 'TM', {
    crossingPoints: ['TM-SERHETABAT', 'TM-IMAMNAZAR'],
    dailyVolume: 80,
    categoryMix: TRADE,
    citizenshipMix: { AF: 0.7, TM: 0.28, ZZ: 0.02 },
    sexMix: MOSTLY_MEN,
    ageMix: WORKERS,
    needsRate: 0.03,
  }),
  route('TM', 'exit', 'AF', 'IR', {
    crossingPoints: ['TM-SARAGT'],
    dailyVolume: 30,
    categoryMix: { labour_migrant: 0.4, other: 0.5, irregular_migrant: 0.1 },
    citizenshipMix: { AF: 0.9, TM: 0.1 },
    sexMix: MOSTLY_MEN,
    ageMix: WORKERS,
    needsRate: 0.03,
  }),
  // Labour migration to Kazakhstan from Kyrgyzstan, Uzbekistan and Tajikistan, peaking in spring.
  route('KZ', 'entry', 'KG', 'KZ', {
    crossingPoints: ['KZ-KORDAY'],
    dailyVolume: 400,
    categoryMix: LABOUR,
    citizenshipMix: { KG: 0.8, TJ: 0.15, UZ: 0.05 },
    sexMix: MOSTLY_MEN,
    ageMix: WORKERS,
    needsRate: 0.02,
    seasonality: SPRING_PEAK,
  }),
  route('KZ', 'entry', 'UZ', 'KZ', {
    crossingPoints: ['KZ-ZHIBEKZHOLY'],
    dailyVolume: 350,
    categoryMix: LABOUR,
    citizenshipMix: { UZ: 0.82, TJ: 0.15, ZZ: 0.03 },
    sexMix: MOSTLY_MEN,
    ageMix: WORKERS,
    needsRate: 0.02,
    seasonality: SPRING_PEAK,
  }),
  route('KZ', 'exit', 'KZ', 'KG', {
    crossingPoints: ['KZ-KORDAY'],
    dailyVolume: 300,
    categoryMix: LABOUR,
    citizenshipMix: { KG: 0.8, TJ: 0.15, UZ: 0.05 },
    sexMix: MOSTLY_MEN,
    ageMix: WORKERS,
    needsRate: 0.02,
    seasonality: AUTUMN_PEAK,
  }),
  // China–Kazakhstan (Khorgos, Dostyk, Bakhty, Maikapchagai) and China–Kyrgyzstan.
  route('KZ', 'entry', 'CN', 'KZ', {
    crossingPoints: ['KZ-NURZHOLY', 'KZ-DOSTYK', 'KZ-BAKHTY', 'KZ-MAIKAPCHAGAI'],
    pointWeights: [0.6, 0.25, 0.1, 0.05],
    dailyVolume: 200,
    categoryMix: TRADE,
    citizenshipMix: { CN: 0.6, KZ: 0.37, ZZ: 0.03 },
    sexMix: TRAVELLERS_SEX,
    ageMix: TRAVELLERS,
    needsRate: 0.02,
  }),
  route('CN', 'entry', 'KZ', 'CN', {
    crossingPoints: ['CN-KHORGOS', 'CN-ALASHANKOU', 'CN-BAKETU', 'CN-JEMINAY'],
    pointWeights: [0.6, 0.25, 0.1, 0.05],
    dailyVolume: 200,
    categoryMix: TRADE,
    citizenshipMix: { CN: 0.45, KZ: 0.52, ZZ: 0.03 },
    sexMix: TRAVELLERS_SEX,
    ageMix: TRAVELLERS,
    needsRate: 0.02,
  }),
  route('KG', 'entry', 'CN', 'KG', {
    crossingPoints: ['KG-TORUGART', 'KG-IRKESHTAM'],
    pointWeights: [0.4, 0.6],
    dailyVolume: 60,
    categoryMix: TRADE,
    citizenshipMix: { CN: 0.55, KG: 0.43, ZZ: 0.02 },
    sexMix: MOSTLY_MEN,
    ageMix: WORKERS,
    needsRate: 0.02,
  }),
  // Azerbaijan–Iran (Astara, Bileh Savar).
  route('IR', 'entry', 'AZ', 'IR', {
    crossingPoints: ['IR-ASTARA', 'IR-BILEHSAVAR'],
    pointWeights: [0.7, 0.3],
    dailyVolume: 150,
    categoryMix: TRADE,
    citizenshipMix: { AZ: 0.5, IR: 0.45, RU: 0.03, ZZ: 0.02 },
    sexMix: TRAVELLERS_SEX,
    ageMix: TRAVELLERS,
    needsRate: 0.02,
  }),
  route('AZ', 'entry', 'IR', 'AZ', {
    crossingPoints: ['AZ-ASTARA', 'AZ-BILASUVAR'],
    pointWeights: [0.7, 0.3],
    dailyVolume: 150,
    categoryMix: TRADE,
    citizenshipMix: { IR: 0.5, AZ: 0.45, AF: 0.03, ZZ: 0.02 },
    sexMix: TRAVELLERS_SEX,
    ageMix: TRAVELLERS,
    needsRate: 0.02,
  }),
];
