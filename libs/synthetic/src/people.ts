import type { AgeBand, Category, Sex, SpecificNeed } from '@caravanserai/contracts';
import { Rng, digits, oneOf, pick, randInt, weighted } from './random';

const DAY_MS = 86_400_000;
export const toDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** A birth date whose age on `day` falls in `band` (undefined for 'unknown'). Adults skew young. */
export function dateOfBirthFor(rng: Rng, band: AgeBand, day: string): string | undefined {
  const age =
    band === '0-4'
      ? randInt(rng, 0, 4)
      : band === '5-11'
        ? randInt(rng, 5, 11)
        : band === '12-17'
          ? randInt(rng, 12, 17)
          : band === '18-59'
            ? 18 + Math.floor(42 * rng() ** 1.6)
            : band === '60+'
              ? 60 + Math.floor(30 * rng() ** 2)
              : undefined;
  if (age === undefined) return undefined;
  const [y, m, d] = day.split('-').map(Number);
  // The last birthday giving `age` on `day` (29 February becomes 28 February), then up to 364 days back.
  const latest = Date.UTC(y - age, m - 1, m === 2 && d === 29 ? 28 : d);
  return toDay(latest - randInt(rng, 0, 364) * DAY_MS);
}

const CHILD_BANDS = weighted<AgeBand>({ '0-4': 0.03, '5-11': 0.27, '12-17': 0.7 });
const CHILD_CATEGORIES = new Set<Category>(['unaccompanied_child', 'separated_child']);

/** The band, adjusted to the category: children's categories are under 18, workers 12 and over. */
export function bandFor(rng: Rng, category: Category, band: AgeBand): AgeBand {
  if (CHILD_CATEGORIES.has(category)) return pick(rng, CHILD_BANDS);
  if (category === 'labour_migrant' && (band === '0-4' || band === '5-11')) return '18-59';
  return band;
}

const ANYONE: SpecificNeed[] = ['serious_medical_condition', 'disability', 'survivor_of_violence_or_torture', 'legal_protection_need'];
const WOMEN: SpecificNeed[] = ['woman_at_risk', 'pregnant_or_lactating', 'single_parent', 'gbv_survivor'];

/** Needs implied by the category, plus with probability `rate` one or two fitting the person. */
export function needsFor(rng: Rng, category: Category, sex: Sex, band: AgeBand, rate: number): SpecificNeed[] {
  const needs = new Set<SpecificNeed>();
  if (CHILD_CATEGORIES.has(category)) needs.add('unaccompanied_or_separated_child');
  if (category === 'victim_of_trafficking') needs.add('trafficking_indicators');
  if (rng() < rate) {
    const pool = [...ANYONE];
    if (band === '0-4' || band === '5-11' || band === '12-17') pool.push('child_at_risk', 'child_at_risk', 'child_at_risk');
    if (band === '60+') pool.push('older_person_at_risk', 'older_person_at_risk', 'older_person_at_risk');
    if (sex === 'female' && band === '18-59') pool.push(...WOMEN, ...WOMEN);
    if (category === 'refugee' || category === 'asylum_seeker' || category === 'stateless') pool.push('legal_protection_need');
    needs.add(oneOf(rng, pool));
    if (rng() < 0.2) needs.add(oneOf(rng, pool));
  }
  return [...needs];
}

// Fake but realistic personal data, so that privacy tests have something to look for.
interface NamePool {
  male: string[];
  female: string[];
  family: string[];
  gendered?: boolean;
  familyFirst?: boolean;
}
const PERSIAN: NamePool = {
  male: [
    'Ahmad',
    'Mohammad',
    'Ali',
    'Reza',
    'Hamid',
    'Farid',
    'Jawad',
    'Hossein',
    'Mahdi',
    'Nasir',
    'Rahim',
    'Zabihullah',
    'Abdul Wahid',
    'Karim',
    'Sayed Jalal',
  ],
  female: ['Fatima', 'Zahra', 'Maryam', 'Parwana', 'Shabnam', 'Mahbooba', 'Nargis', 'Soraya', 'Zainab', 'Fereshteh', 'Masooma', 'Laila'],
  family: ['Ahmadi', 'Hosseini', 'Rahimi', 'Mohammadi', 'Karimi', 'Sultani', 'Haidari', 'Jafari', 'Rezaei', 'Noori', 'Amiri', 'Popal', 'Stanekzai', 'Wardak'],
};
const PAKISTANI: NamePool = {
  male: ['Muhammad Imran', 'Bilal', 'Usman', 'Hamza', 'Asad', 'Zubair', 'Shahid', 'Gul Khan'],
  female: ['Ayesha', 'Sana', 'Hina', 'Rabia', 'Nazia', 'Bibi Gul'],
  family: ['Khan', 'Afridi', 'Yousafzai', 'Shinwari', 'Achakzai', 'Qureshi', 'Baloch'],
};
const TURKIC_WEST: NamePool = {
  male: ['Mehmet', 'Ahmet', 'Mustafa', 'Elvin', 'Rashad', 'Murat', 'Orxan'],
  female: ['Ayşe', 'Elif', 'Zeynep', 'Aynur', 'Leyla', 'Günel'],
  family: ['Yılmaz', 'Kaya', 'Demir', 'Aliyev', 'Mammadov', 'Hasanov', 'Quliyev'],
};
const CENTRAL_ASIAN: NamePool = {
  male: ['Nurlan', 'Aibek', 'Bakyt', 'Timur', 'Rustam', 'Azamat', 'Dilshod', 'Sherzod', 'Serdar', 'Firdavs'],
  female: ['Aigerim', 'Gulnara', 'Dinara', 'Madina', 'Nodira', 'Ainura', 'Jamila', 'Ogulnabat'],
  family: ['Abdullaev', 'Nurlanov', 'Toktogulov', 'Karimov', 'Yusupov', 'Mamytov', 'Atayev', 'Berdiyev', 'Rahmonov'],
  gendered: true,
};
const CHINESE: NamePool = {
  male: ['Wei', 'Jun', 'Hao', 'Lei', 'Qiang', 'Ablimit'],
  female: ['Na', 'Jing', 'Li', 'Mei', 'Xiu', 'Gulnur'],
  family: ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang'],
  familyFirst: true,
};
const NAMES: Record<string, NamePool> = {
  PK: PAKISTANI,
  TR: TURKIC_WEST,
  AZ: TURKIC_WEST,
  KZ: CENTRAL_ASIAN,
  KG: CENTRAL_ASIAN,
  UZ: CENTRAL_ASIAN,
  TJ: CENTRAL_ASIAN,
  TM: CENTRAL_ASIAN,
  CN: CHINESE,
};
const PHONES: Record<string, string> = {
  AF: '+93 7',
  IR: '+98 91',
  PK: '+92 3',
  TR: '+90 5',
  AZ: '+994 50',
  KZ: '+7 70',
  KG: '+996 55',
  UZ: '+998 9',
  TJ: '+992 9',
  TM: '+993 6',
  CN: '+86 13',
};
const CITIES: Record<string, string[]> = {
  AF: ['Herat', 'Kabul', 'Kandahar', 'Mazar-i-Sharif', 'Jalalabad', 'Kunduz', 'Zaranj'],
  IR: ['Tehran', 'Mashhad', 'Isfahan', 'Shiraz', 'Zahedan', 'Qom'],
  PK: ['Peshawar', 'Quetta', 'Karachi', 'Islamabad'],
  TR: ['Istanbul', 'Van', 'Ankara', 'Erzurum'],
  AZ: ['Baku', 'Lankaran'],
  KZ: ['Almaty', 'Astana', 'Shymkent'],
  KG: ['Bishkek', 'Osh'],
  UZ: ['Tashkent', 'Samarkand'],
  TJ: ['Dushanbe', 'Khujand'],
  TM: ['Ashgabat', 'Mary'],
  CN: ['Urumqi', 'Kashgar', 'Yining'],
  DE: ['Berlin', 'Hamburg'],
};
const DOCS: Partial<Record<Category, Record<string, number>>> = {
  returnee: { national_id: 0.45, none: 0.35, passport: 0.15, other: 0.05 },
  refugee: { refugee_card: 0.7, passport: 0.1, none: 0.2 },
  asylum_seeker: { none: 0.4, passport: 0.3, national_id: 0.2, travel_document: 0.1 },
  labour_migrant: { passport: 0.85, national_id: 0.15 },
  irregular_migrant: { none: 0.6, national_id: 0.3, other: 0.1 },
  smuggled_migrant: { none: 0.7, national_id: 0.2, passport: 0.1 },
  stateless: { travel_document: 0.5, none: 0.5 },
  unaccompanied_child: { none: 0.6, national_id: 0.4 },
  separated_child: { none: 0.5, national_id: 0.5 },
};
const DOC_MIX = Object.fromEntries(
  Object.entries({ ...DOCS, other: { passport: 0.7, national_id: 0.3 } }).map(([k, v]) => [k, weighted(v as Record<string, number>)]),
);

export interface PersonalData {
  fullName: string;
  documentNumber?: string;
  documentType: string;
  phone: string;
  address: string;
  notes: string;
}

function fullName(rng: Rng, citizenship: string, sex: Sex): string {
  const pool = NAMES[citizenship] ?? PERSIAN;
  const female = sex === 'female' || (sex !== 'male' && rng() < 0.5);
  const given = oneOf(rng, female ? pool.female : pool.male);
  let family = oneOf(rng, pool.family);
  if (pool.gendered && female) family += 'a';
  return pool.familyFirst ? `${family} ${given}` : `${given} ${family}`;
}

function documentNumberFor(rng: Rng, documentType: string): string | undefined {
  switch (documentType) {
    case 'passport':
      return `P${digits(rng, 8)}`;
    case 'national_id':
      return `${randInt(rng, 1395, 1404)}-${digits(rng, 4)}-${digits(rng, 5)}`; // e-tazkira style
    case 'refugee_card':
      return `PoR-${digits(rng, 9)}`;
    case 'travel_document':
      return `TD${digits(rng, 7)}`;
    case 'other':
      return `X-${digits(rng, 6)}`;
    default:
      return undefined;
  }
}

export function personalData(rng: Rng, p: { citizenship: string; sex: Sex; category: Category; residence: string; crossingPoint: string }): PersonalData {
  const documentType = pick(rng, DOC_MIX[p.category] ?? DOC_MIX.other);
  const documentNumber = documentNumberFor(rng, documentType);
  const phone = `${PHONES[p.citizenship] ?? PHONES.AF}${digits(rng, 8)}`;
  const city = oneOf(rng, CITIES[p.residence] ?? CITIES[p.citizenship] ?? CITIES.AF);
  const address = `House ${randInt(rng, 1, 240)}, Street ${randInt(rng, 1, 60)}, District ${randInt(rng, 1, 22)}, ${city}`;
  const relative = fullName(rng, p.citizenship, rng() < 0.5 ? 'male' : 'female');
  const k = randInt(rng, 0, 3);
  const notes =
    k === 0
      ? `Travelling with ${randInt(rng, 1, 7)} family members; relative ${relative} waiting in ${city}.`
      : k === 1
        ? `Says documents were taken in ${city}. Contact: ${relative}, ${phone}.`
        : k === 2
          ? `Interviewed at ${p.crossingPoint}; brother ${relative} lives in ${city}.`
          : `Needs transport to ${city}. Phone of cousin ${relative}: ${PHONES[p.citizenship] ?? PHONES.AF}${digits(rng, 8)}.`;
  const data: PersonalData = { fullName: fullName(rng, p.citizenship, p.sex), documentType, phone, address, notes };
  if (documentNumber) data.documentNumber = documentNumber;
  return data;
}
