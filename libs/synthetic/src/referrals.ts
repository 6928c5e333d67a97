import { AgeBand, BORDER_CROSSING_POINTS, Category, ReferralPathway, Sex } from '@caravanserai/contracts';
import { UTC_OFFSETS } from './generator';
import { bandFor, dateOfBirthFor, needsFor } from './people';
import { hashSeed, mulberry32, pick, randInt, Rng, weighted } from './random';

/** The fields of the node's RawReferral (kept here: libraries must not import apps). */
export interface RawReferralLike {
  recordId: string;
  referredAt: string;
  category: string;
  specificNeeds?: string[];
  sex: string;
  dateOfBirth?: string | null;
  borderCrossingPoint?: string | null;
  province?: string | null;
  referredTo: string;
  movementEventId?: string | null;
  fullName?: string;
  notes?: string;
}

export type LifecycleCommand = 'acknowledgement' | 'acceptance' | 'decline' | 'closure';
export interface LifecycleStepPlan {
  command: LifecycleCommand;
  /** Local time with the provider's offset, as the national system would send it. */
  at: string;
  body: Record<string, string>;
}

/** One synthetic referral: the record to post and the lifecycle commands to send after it, in order. */
export interface SyntheticReferral {
  provider: string;
  record: RawReferralLike;
  steps: LifecycleStepPlan[];
}

export interface ReferralGeneratorOptions {
  seed: number;
  from: string;
  /** Inclusive, YYYY-MM-DD. */
  to: string;
  perProviderPerDay: number;
  providers: string[];
  /** Steps dated after this moment are left out (the referral stays open): nodes refuse the future. */
  now: Date;
  recordIdPrefix?: string;
}

const CATEGORIES = weighted<Category>({
  asylum_seeker: 0.24,
  refugee: 0.12,
  unaccompanied_child: 0.12,
  separated_child: 0.05,
  victim_of_trafficking: 0.08,
  irregular_migrant: 0.17,
  smuggled_migrant: 0.07,
  stateless: 0.03,
  returnee: 0.08,
  other: 0.04,
});
const AGES = weighted<AgeBand>({ '0-4': 0.05, '5-11': 0.08, '12-17': 0.12, '18-59': 0.68, '60+': 0.04, unknown: 0.03 });
const SEXES = weighted<Sex>({ male: 0.58, female: 0.41, unknown: 0.01 });

/** Where each category is usually referred; a serious medical need goes to medical care first. */
const PATHWAYS: Record<Category, ReturnType<typeof weighted<ReferralPathway>>> = {
  asylum_seeker: weighted({ asylum_authority: 0.7, unhcr: 0.2, legal_aid: 0.1 }),
  refugee: weighted({ unhcr: 0.6, asylum_authority: 0.2, shelter: 0.2 }),
  unaccompanied_child: weighted({ child_protection: 0.9, shelter: 0.1 }),
  separated_child: weighted({ child_protection: 0.8, psychosocial: 0.2 }),
  victim_of_trafficking: weighted({ anti_trafficking: 0.8, shelter: 0.1, psychosocial: 0.1 }),
  irregular_migrant: weighted({ iom: 0.5, legal_aid: 0.3, return_assistance: 0.2 }),
  smuggled_migrant: weighted({ iom: 0.5, legal_aid: 0.5 }),
  labour_migrant: weighted({ iom: 1 }),
  stateless: weighted({ unhcr: 0.7, legal_aid: 0.3 }),
  returnee: weighted({ return_assistance: 0.6, iom: 0.4 }),
  other: weighted({ psychosocial: 0.5, legal_aid: 0.5 }),
};
/** How each pathway tends to answer: the chance to decline, and hours to an answer. */
const ANSWERS: Record<ReferralPathway, { decline: number; answerHours: [number, number] }> = {
  asylum_authority: { decline: 0.15, answerHours: [24, 240] },
  child_protection: { decline: 0.05, answerHours: [1, 24] },
  anti_trafficking: { decline: 0.1, answerHours: [2, 48] },
  medical: { decline: 0.02, answerHours: [1, 8] },
  psychosocial: { decline: 0.1, answerHours: [12, 96] },
  legal_aid: { decline: 0.25, answerHours: [24, 168] },
  shelter: { decline: 0.3, answerHours: [2, 36] },
  unhcr: { decline: 0.1, answerHours: [12, 120] },
  iom: { decline: 0.15, answerHours: [12, 96] },
  return_assistance: { decline: 0.2, answerHours: [24, 200] },
};
const DECLINE_REASONS = weighted({ no_capacity: 0.35, not_eligible: 0.25, outside_mandate: 0.2, person_refused: 0.15, other: 0.05 });
const OUTCOMES = weighted({ services_provided: 0.7, transferred_onward: 0.15, person_moved_on: 0.1, lost_contact: 0.05 });

const pad = (n: number) => String(n).padStart(2, '0');
const HOUR_MS = 3_600_000;

/** A UTC instant written as local time with the provider's offset. */
function localTime(ms: number, provider: string): string {
  const offset = UTC_OFFSETS[provider];
  const local = new Date(ms + offset * 60_000);
  const sign = offset < 0 ? '-' : '+';
  return `${local.toISOString().slice(0, 19)}${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
}

function plan(rng: Rng, provider: string, pathway: ReferralPathway, referredMs: number, nowMs: number): LifecycleStepPlan[] {
  const steps: { command: LifecycleCommand; ms: number; body: Record<string, string> }[] = [];
  let t = referredMs;
  const roll = rng();
  if (roll < 0.04) return []; // never answered: stalls
  if (rng() < 0.6) steps.push({ command: 'acknowledgement', ms: (t += randInt(rng, 1, 12) * HOUR_MS), body: {} });
  const [lo, hi] = ANSWERS[pathway].answerHours;
  if (roll < 0.07) {
    steps.push({ command: 'closure', ms: t + randInt(rng, 24, 96) * HOUR_MS, body: { outcome: 'withdrawn' } });
  } else if (rng() < ANSWERS[pathway].decline) {
    steps.push({ command: 'decline', ms: t + randInt(rng, lo, hi) * HOUR_MS, body: { reason: pick(rng, DECLINE_REASONS) } });
  } else {
    steps.push({ command: 'acceptance', ms: (t += randInt(rng, lo, hi) * HOUR_MS), body: {} });
    if (rng() < 0.7) steps.push({ command: 'closure', ms: t + randInt(rng, 24, 600) * HOUR_MS, body: { outcome: pick(rng, OUTCOMES) } });
  }
  // Whatever would happen after `now` has not happened yet.
  return steps.filter((s) => s.ms <= nowMs).map((s) => ({ command: s.command, at: localTime(s.ms, provider), body: s.body }));
}

/** Synthetic referrals and their lifecycles, the same for the same options on every machine. */
export function generateReferrals(opts: ReferralGeneratorOptions): SyntheticReferral[] {
  const out: SyntheticReferral[] = [];
  const first = Date.parse(`${opts.from}T00:00:00Z`);
  const last = Date.parse(`${opts.to}T00:00:00Z`);
  for (const provider of opts.providers) {
    const points = BORDER_CROSSING_POINTS.filter((p) => p.state === provider && p.status !== 'closed').map((p) => p.code);
    if (points.length === 0) throw new Error(`no open border crossing point for ${provider}`);
    for (let dayMs = first; dayMs <= last; dayMs += 24 * HOUR_MS) {
      const day = new Date(dayMs).toISOString().slice(0, 10);
      const rng = mulberry32(hashSeed(opts.seed, 'referrals', provider, day));
      for (let i = 0; i < opts.perProviderPerDay; i++) {
        // A local time of day, so that the local date is `day`.
        const localMinutes = randInt(rng, 0, 24 * 60 - 1);
        const referredMs = dayMs + (localMinutes - UTC_OFFSETS[provider]) * 60_000;
        if (referredMs > opts.now.getTime()) continue;
        const category = pick(rng, CATEGORIES);
        const sex = pick(rng, SEXES);
        const band = bandFor(rng, category, pick(rng, AGES));
        const needs = needsFor(rng, category, sex, band, 0.35);
        const pathway: ReferralPathway = needs.includes('serious_medical_condition') ? 'medical' : pick(rng, PATHWAYS[category]);
        out.push({
          provider,
          record: {
            recordId: `${opts.recordIdPrefix ?? 'SYN-REF-'}${provider}-${day.replace(/-/g, '')}-${i}`,
            referredAt: localTime(referredMs, provider),
            category,
            specificNeeds: needs,
            sex,
            dateOfBirth: dateOfBirthFor(rng, band, day) ?? null,
            borderCrossingPoint: points[randInt(rng, 0, points.length - 1)],
            referredTo: pathway,
            fullName: 'Synthetic Person',
          },
          steps: plan(rng, provider, pathway, referredMs, opts.now.getTime()),
        });
      }
    }
  }
  return out;
}

export interface ReferralResult {
  recordId: string;
  referralId: string;
  status: 'accepted' | 'duplicate';
}

/** Posts one batch to a node's `POST /v1/referrals`; throws on anything but 200. */
export async function postReferrals(
  nodeUrl: string,
  records: RawReferralLike[],
  headers: Record<string, string> = {},
): Promise<{ accepted: number; duplicates: number; results: ReferralResult[] }> {
  const res = await fetch(`${nodeUrl.replace(/\/+$/, '')}/v1/referrals`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ records }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`POST ${nodeUrl}/v1/referrals: ${res.status} ${text.slice(0, 2000)}`);
  return JSON.parse(text);
}

/** Sends one lifecycle command; throws on anything but 201. */
export async function sendReferralStep(nodeUrl: string, referralId: string, step: LifecycleStepPlan, headers: Record<string, string> = {}): Promise<void> {
  const res = await fetch(`${nodeUrl.replace(/\/+$/, '')}/v1/referrals/${referralId}/${step.command}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ at: step.at, ...step.body }),
  });
  if (res.status !== 201) throw new Error(`POST ${step.command} of ${referralId}: ${res.status} ${(await res.text()).slice(0, 500)}`);
}
