import 'reflect-metadata';
import { Type } from 'class-transformer';
import { Allow, IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, IsUUID, ValidateIf, ValidateNested } from 'class-validator';
import {
  AGREEMENT_AMENDED,
  AGREEMENT_GRANTED,
  AGREEMENT_REVOKED,
  AgreementEvent,
  AgreementTerms,
  agreementStreamId,
  EMERGENCY_ACTIVATIONS,
  EMERGENCY_TERMS_ACTIVATED,
  EmergencyTerms,
  EVENT_KINDS,
  MAX_EMERGENCY_DAYS,
  GEO_GRANULARITIES,
  RECIPIENT_PATTERN,
  SHAREABLE_DIMENSIONS,
  TIME_GRANULARITIES,
} from './agreements';
import { EnvelopeDto, MessageBody, ParseResult, parseWith } from './envelope.schema';
import { CATEGORIES, ISO_COUNTRIES } from './reference';

/** One problem with an agreement's terms: the field path (e.g. `scope.categories`) and why. */
export interface TermProblem {
  field: string;
  message: string;
}

export const MAX_EMBARGO_DAYS = 3650;
export const MAX_PURPOSE_LENGTH = 500;
export const MAX_REASON_LENGTH = 500;

const isoCountries = new Set(ISO_COUNTRIES);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar day written YYYY-MM-DD (2026-02-30 is not one). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (values: readonly string[]) => values.join(', ');

/** Problems of a list of codes: an array, each from `allowed`, no repeats (and not empty when `nonEmpty`). */
function checkCodes(field: string, value: unknown, allowed: readonly string[], nonEmpty: boolean): TermProblem[] {
  if (!Array.isArray(value)) return [{ field, message: `${field} must be a list of: ${list(allowed)}` }];
  const problems: TermProblem[] = [];
  if (nonEmpty && value.length === 0) problems.push({ field, message: `${field} must name at least one of: ${list(allowed)}` });
  const unknown = value.filter((v) => typeof v !== 'string' || !allowed.includes(v));
  if (unknown.length > 0) {
    problems.push({ field, message: `${field} has unknown value(s) ${unknown.map((v) => JSON.stringify(v)).join(', ')}; allowed: ${list(allowed)}` });
  }
  const repeated = value.filter((v, i) => value.indexOf(v) !== i);
  if (repeated.length > 0) problems.push({ field, message: `${field} repeats ${[...new Set(repeated)].map((v) => JSON.stringify(v)).join(', ')}` });
  return problems;
}

function checkCategories(value: unknown): TermProblem[] {
  const field = 'scope.categories';
  if (value === undefined) return [];
  if (!isObject(value)) return [{ field, message: `${field} must be {include: [...]} or {exclude: [...]}; leave it out to cover every category` }];
  const hasInclude = value.include !== undefined;
  const hasExclude = value.exclude !== undefined;
  if (hasInclude && hasExclude) return [{ field, message: `${field} must give include or exclude, not both` }];
  if (!hasInclude && !hasExclude) return [{ field, message: `${field} must give include or exclude; leave it out to cover every category` }];
  const which = hasInclude ? 'include' : 'exclude';
  const problems = checkCodes(`${field}.${which}`, value[which], CATEGORIES, true);
  if (problems.length === 0 && which === 'exclude' && CATEGORIES.every((c) => (value.exclude as string[]).includes(c))) {
    problems.push({ field: `${field}.exclude`, message: `${field}.exclude leaves out every category: the agreement would share nothing` });
  }
  return problems;
}

function checkRecipient(value: unknown): TermProblem[] {
  const message = 'recipient must be secretariat, state:XX (an ISO 3166-1 alpha-2 code), org:NAME (NAME: 2-64 of A-Z, 0-9, _ and -) or *';
  if (typeof value !== 'string' || !RECIPIENT_PATTERN.test(value)) return [{ field: 'recipient', message }];
  if (value.startsWith('state:') && !isoCountries.has(value.slice(6))) {
    return [{ field: 'recipient', message: `recipient ${value}: ${value.slice(6)} is not an ISO 3166-1 alpha-2 country code` }];
  }
  return [];
}

function checkOneOf(field: string, value: unknown, allowed: readonly string[]): TermProblem[] {
  return typeof value === 'string' && allowed.includes(value) ? [] : [{ field, message: `${field} must be one of: ${list(allowed)}` }];
}

function checkInteger(field: string, value: unknown, min: number, max: number, meaning: string): TermProblem[] {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return [];
  const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
  return [{ field, message: `${field} must be a whole number ${range} (${meaning})` }];
}

const EMERGENCY_MEMBERS = ['minTimeGranularity', 'minGeoGranularity', 'embargoDays', 'dimensions', 'recipients', 'maxDays', 'activation'] as const;

/** The emergency term's own rules (absent or null: no emergency terms); how it stands to the grant
 * is checkCoherence's. */
function checkEmergency(value: unknown): TermProblem[] {
  if (value === null) return [];
  const field = 'emergency';
  if (!isObject(value)) return [{ field, message: `${field} must be an object with ${list(EMERGENCY_MEMBERS)}, or null (no emergency terms)` }];
  const problems: TermProblem[] = [];
  const unknown = Object.keys(value).filter((k) => !(EMERGENCY_MEMBERS as readonly string[]).includes(k));
  if (unknown.length > 0) problems.push({ field, message: `${field} has unknown member(s) ${unknown.join(', ')}; allowed: ${list(EMERGENCY_MEMBERS)}` });
  for (const name of EMERGENCY_MEMBERS) if (value[name] === undefined) problems.push({ field: `${field}.${name}`, message: `${field}.${name} is required` });
  const at = (name: string) => `${field}.${name}`;
  if (value.minTimeGranularity !== undefined) problems.push(...checkOneOf(at('minTimeGranularity'), value.minTimeGranularity, TIME_GRANULARITIES));
  if (value.minGeoGranularity !== undefined) problems.push(...checkOneOf(at('minGeoGranularity'), value.minGeoGranularity, GEO_GRANULARITIES));
  if (value.embargoDays !== undefined)
    problems.push(...checkInteger(at('embargoDays'), value.embargoDays, 0, MAX_EMBARGO_DAYS, 'days before a day may be shown during an emergency'));
  if (value.dimensions !== undefined) problems.push(...checkCodes(at('dimensions'), value.dimensions, SHAREABLE_DIMENSIONS, false));
  if (value.maxDays !== undefined)
    problems.push(...checkInteger(at('maxDays'), value.maxDays, 1, MAX_EMERGENCY_DAYS, 'the longest the terms stay in effect from their activation'));
  if (value.activation !== undefined) problems.push(...checkOneOf(at('activation'), value.activation, EMERGENCY_ACTIVATIONS));
  if (value.recipients !== undefined) {
    if (!Array.isArray(value.recipients))
      problems.push({ field: at('recipients'), message: `${at('recipients')} must be a list of further recipients (secretariat, state:XX, org:NAME)` });
    else {
      for (const r of value.recipients) {
        if (r === '*') problems.push({ field: at('recipients'), message: `${at('recipients')} cannot hold *: emergency terms name each further recipient` });
        else if (checkRecipient(r).length > 0)
          problems.push({
            field: at('recipients'),
            message: `${at('recipients')}: ${JSON.stringify(r)} is not secretariat, state:XX (ISO 3166-1 alpha-2) or org:NAME`,
          });
      }
      const repeated = value.recipients.filter((v, i) => (value.recipients as unknown[]).indexOf(v) !== i);
      if (repeated.length > 0)
        problems.push({ field: at('recipients'), message: `${at('recipients')} repeats ${[...new Set(repeated)].map((v) => JSON.stringify(v)).join(', ')}` });
    }
  }
  return problems;
}

/** Each term's own rules, field by field; the rules that tie two terms together are below. */
const TERM_CHECKS: { [K in keyof AgreementTerms]-?: (value: unknown) => TermProblem[] } = {
  recipient: checkRecipient,
  scope: (value) => {
    if (!isObject(value)) return [{ field: 'scope', message: 'scope must be an object with eventKinds and, optionally, categories' }];
    return [...checkCodes('scope.eventKinds', value.eventKinds, EVENT_KINDS, true), ...checkCategories(value.categories)];
  },
  dimensions: (value) => checkCodes('dimensions', value, SHAREABLE_DIMENSIONS, false),
  minTimeGranularity: (value) => checkOneOf('minTimeGranularity', value, TIME_GRANULARITIES),
  minGeoGranularity: (value) => checkOneOf('minGeoGranularity', value, GEO_GRANULARITIES),
  minCellSize: (value) => checkInteger('minCellSize', value, 1, Number.MAX_SAFE_INTEGER, 'k: the fewest records of this provider a published cell may hold'),
  embargoDays: (value) => checkInteger('embargoDays', value, 0, MAX_EMBARGO_DAYS, 'days before a day may be shown'),
  validFrom: (value) => (isCalendarDate(value) ? [] : [{ field: 'validFrom', message: 'validFrom must be a calendar date YYYY-MM-DD' }]),
  validUntil: (value) =>
    value === null || isCalendarDate(value) ? [] : [{ field: 'validUntil', message: 'validUntil must be a calendar date YYYY-MM-DD, or null (until revoked)' }],
  dataFrom: (value) =>
    value === null || isCalendarDate(value)
      ? []
      : [{ field: 'dataFrom', message: 'dataFrom must be a calendar date YYYY-MM-DD (the first day of data covered), or null (no first day)' }],
  dataUntil: (value) =>
    value === null || isCalendarDate(value)
      ? []
      : [{ field: 'dataUntil', message: 'dataUntil must be a calendar date YYYY-MM-DD (the last day of data covered), or null (no last day)' }],
  purpose: (value) =>
    typeof value === 'string' && value.trim().length >= 1 && value.length <= MAX_PURPOSE_LENGTH
      ? []
      : [{ field: 'purpose', message: `purpose must say what the data is for, in 1 to ${MAX_PURPOSE_LENGTH} characters` }],
  emergency: checkEmergency,
};

export const TERM_NAMES = Object.keys(TERM_CHECKS) as (keyof AgreementTerms)[];

/** Terms an event may leave out: absent means null (the data period is unbounded on that side). */
export const OPTIONAL_TERMS: readonly (keyof AgreementTerms)[] = ['dataFrom', 'dataUntil', 'emergency'];

const finest = <T extends string>(order: readonly T[], a: T, b: T) => order.indexOf(a) <= order.indexOf(b);

/** The rules between terms; each applies only where the terms it ties are present and valid. */
function checkCoherence(terms: Partial<Record<keyof AgreementTerms, unknown>>): TermProblem[] {
  const problems: TermProblem[] = [];
  const { validFrom, validUntil, dataFrom, dataUntil, dimensions, minGeoGranularity, minTimeGranularity, embargoDays, emergency, recipient } = terms;
  if (isCalendarDate(validFrom) && isCalendarDate(validUntil) && validUntil < validFrom) {
    problems.push({ field: 'validUntil', message: `validUntil ${validUntil} is before validFrom ${validFrom}` });
  }
  if (isCalendarDate(dataFrom) && isCalendarDate(dataUntil) && dataUntil < dataFrom) {
    problems.push({ field: 'dataUntil', message: `dataUntil ${dataUntil} is before dataFrom ${dataFrom}: the data period would cover no day` });
  }
  if (Array.isArray(dimensions) && dimensions.includes('borderCrossingPoint') && minGeoGranularity === 'country') {
    problems.push({
      field: 'dimensions',
      message: 'dimensions include borderCrossingPoint, but minGeoGranularity country allows nothing finer than a country',
    });
  }
  if (isObject(emergency)) {
    // Emergency terms may only loosen time, place and embargo and add dimensions and recipients:
    // never coarser, never a longer embargo, never the grant's own recipient again. Each rule
    // applies where both of its values are valid on their own (checkEmergency names the rest).
    const e = emergency as Record<string, unknown>;
    const isTime = (v: unknown): v is EmergencyTerms['minTimeGranularity'] => typeof v === 'string' && (TIME_GRANULARITIES as readonly string[]).includes(v);
    const isGeo = (v: unknown): v is EmergencyTerms['minGeoGranularity'] => typeof v === 'string' && (GEO_GRANULARITIES as readonly string[]).includes(v);
    if (isTime(e.minTimeGranularity) && isTime(minTimeGranularity) && !finest(TIME_GRANULARITIES, e.minTimeGranularity, minTimeGranularity)) {
      problems.push({
        field: 'emergency.minTimeGranularity',
        message: `emergency.minTimeGranularity ${e.minTimeGranularity} is coarser than the grant's ${minTimeGranularity}: emergency terms may only be finer`,
      });
    }
    if (isGeo(e.minGeoGranularity) && isGeo(minGeoGranularity) && !finest(GEO_GRANULARITIES, e.minGeoGranularity, minGeoGranularity)) {
      problems.push({
        field: 'emergency.minGeoGranularity',
        message: `emergency.minGeoGranularity ${e.minGeoGranularity} is coarser than the grant's ${minGeoGranularity}: emergency terms may only be finer`,
      });
    }
    if (typeof e.embargoDays === 'number' && typeof embargoDays === 'number' && e.embargoDays > embargoDays) {
      problems.push({
        field: 'emergency.embargoDays',
        message: `emergency.embargoDays ${e.embargoDays} is longer than the grant's ${embargoDays}: emergency terms may only shorten the embargo`,
      });
    }
    if (Array.isArray(e.dimensions) && e.dimensions.includes('borderCrossingPoint') && e.minGeoGranularity === 'country') {
      problems.push({
        field: 'emergency.dimensions',
        message: 'emergency.dimensions include borderCrossingPoint, but emergency.minGeoGranularity country allows nothing finer than a country',
      });
    }
    if (typeof recipient === 'string' && Array.isArray(e.recipients) && e.recipients.includes(recipient)) {
      problems.push({ field: 'emergency.recipients', message: `emergency.recipients repeats the agreement's own recipient ${recipient}` });
    }
  }
  return problems;
}

/**
 * Every problem with a complete set of terms, by field; empty when the terms are valid and
 * coherent. Pure and total: any value may be passed, nothing is thrown. The node checks a grant
 * (and the terms an amendment leads to) with it, the aggregator every event it takes in.
 */
export function checkAgreementTerms(terms: AgreementTerms): TermProblem[] {
  if (!isObject(terms)) return [{ field: '', message: 'the terms must be a JSON object' }];
  return [
    ...TERM_NAMES.flatMap((name) =>
      terms[name] === undefined ? (OPTIONAL_TERMS.includes(name) ? [] : [{ field: name, message: `${name} is required` }]) : TERM_CHECKS[name](terms[name]),
    ),
    ...checkCoherence(terms),
  ];
}

/**
 * Every problem that can be seen in an amendment's changes alone, without the terms they amend:
 * each term given must be valid, the recipient cannot change, something must change, and terms
 * given together must agree. The merged terms are checked as a whole where they are known (at
 * the node, and at the aggregator once it holds the grant).
 */
export function checkAgreementChanges(changes: Partial<AgreementTerms>): TermProblem[] {
  if (!isObject(changes)) return [{ field: 'changes', message: 'changes must be a JSON object' }];
  const problems: TermProblem[] = [];
  if (changes.recipient !== undefined) {
    problems.push({ field: 'recipient', message: 'the recipient of an agreement cannot change: revoke it and grant a new one' });
  }
  const given = TERM_NAMES.filter((name) => name !== 'recipient' && changes[name] !== undefined);
  if (given.length === 0 && changes.recipient === undefined) {
    problems.push({ field: 'changes', message: `an amendment must change at least one of: ${list(TERM_NAMES.filter((n) => n !== 'recipient'))}` });
  }
  for (const name of given) problems.push(...TERM_CHECKS[name](changes[name]));
  problems.push(...checkCoherence(changes));
  return problems;
}

/* ---- Kafka: the classes below check the shape of what arrives on agreements.v1; the rules
 * above then check the values. ---- */

class CategoriesDto {
  @ValidateIf((o) => o.include !== undefined) @IsArray() @IsString({ each: true }) include?: string[];
  @ValidateIf((o) => o.exclude !== undefined) @IsArray() @IsString({ each: true }) exclude?: string[];
}

class ScopeDto {
  @IsArray() @IsIn(EVENT_KINDS, { each: true }) eventKinds: string[];
  @ValidateIf((o) => o.categories !== undefined) @IsObject() @ValidateNested() @Type(() => CategoriesDto) categories?: CategoriesDto;
}

/** The terms' shape; `checkAgreementTerms` does the rest. */
class AgreementTermsDataDto {
  @IsString() recipient: string;
  @IsObject() @ValidateNested() @Type(() => ScopeDto) scope: ScopeDto;
  @IsArray() @IsString({ each: true }) dimensions: string[];
  @IsIn(TIME_GRANULARITIES) minTimeGranularity: string;
  @IsIn(GEO_GRANULARITIES) minGeoGranularity: string;
  @IsInt() minCellSize: number;
  @IsInt() embargoDays: number;
  @IsString() validFrom: string;
  @ValidateIf((o) => o.validUntil !== null) @IsString() validUntil: string | null;
  /** Absent or null: unbounded (grants published before the data period existed have neither). */
  @IsOptional() @IsString() dataFrom?: string | null;
  @IsOptional() @IsString() dataUntil?: string | null;
  @IsString() purpose: string;
}

export class AgreementGrantedDataDto extends AgreementTermsDataDto {
  @IsUUID() agreementId: string;
}

/** Every term but the recipient, each optional. `recipient` is whitelisted so that the rule
 * that forbids changing it can say so in its own words. */
class AgreementChangesDto {
  @Allow() recipient?: unknown;
  @Allow() @ValidateIf((o) => o.scope !== undefined) @IsObject() @ValidateNested() @Type(() => ScopeDto) scope?: ScopeDto;
  @Allow() dimensions?: unknown;
  @Allow() minTimeGranularity?: unknown;
  @Allow() minGeoGranularity?: unknown;
  @Allow() minCellSize?: unknown;
  @Allow() embargoDays?: unknown;
  @Allow() validFrom?: unknown;
  @Allow() validUntil?: unknown;
  @Allow() dataFrom?: unknown;
  @Allow() dataUntil?: unknown;
  @Allow() purpose?: unknown;
}

export class AgreementAmendedDataDto {
  @IsUUID() agreementId: string;
  @IsObject() @ValidateNested() @Type(() => AgreementChangesDto) changes: AgreementChangesDto;
}

/** Version 2: the same, with the emergency term (its values checked by checkAgreementTerms). */
export class AgreementGrantedDataV2Dto extends AgreementGrantedDataDto {
  @Allow() emergency?: unknown;
}

class AgreementChangesV2Dto extends AgreementChangesDto {
  @Allow() emergency?: unknown;
}

export class AgreementAmendedDataV2Dto {
  @IsUUID() agreementId: string;
  @IsObject() @ValidateNested() @Type(() => AgreementChangesV2Dto) changes: AgreementChangesV2Dto;
}

export class EmergencyTermsActivatedDataDto {
  @IsUUID() agreementId: string;
  @IsUUID() emergencyId: string;
  @IsString() reason: string;
}

export class AgreementRevokedDataDto {
  @IsUUID() agreementId: string;
  @IsString() reason: string;
}

class AgreementGrantedEnvelopeDto extends EnvelopeDto {
  @ValidateNested() @Type(() => AgreementGrantedDataDto) declare data: AgreementGrantedDataDto;
}
class AgreementAmendedEnvelopeDto extends EnvelopeDto {
  @ValidateNested() @Type(() => AgreementAmendedDataDto) declare data: AgreementAmendedDataDto;
}
class AgreementRevokedEnvelopeDto extends EnvelopeDto {
  @ValidateNested() @Type(() => AgreementRevokedDataDto) declare data: AgreementRevokedDataDto;
}
class AgreementGrantedEnvelopeV2Dto extends EnvelopeDto {
  @ValidateNested() @Type(() => AgreementGrantedDataV2Dto) declare data: AgreementGrantedDataV2Dto;
}
class AgreementAmendedEnvelopeV2Dto extends EnvelopeDto {
  @ValidateNested() @Type(() => AgreementAmendedDataV2Dto) declare data: AgreementAmendedDataV2Dto;
}
class EmergencyTermsActivatedEnvelopeDto extends EnvelopeDto {
  @ValidateNested() @Type(() => EmergencyTermsActivatedDataDto) declare data: EmergencyTermsActivatedDataDto;
}

/** The agreement types and versions the aggregator knows, by type. */
export const AGREEMENT_SCHEMAS: Record<string, Record<number, new () => EnvelopeDto>> = {
  [AGREEMENT_GRANTED]: { 1: AgreementGrantedEnvelopeDto, 2: AgreementGrantedEnvelopeV2Dto },
  [AGREEMENT_AMENDED]: { 1: AgreementAmendedEnvelopeDto, 2: AgreementAmendedEnvelopeV2Dto },
  [AGREEMENT_REVOKED]: { 1: AgreementRevokedEnvelopeDto },
  [EMERGENCY_TERMS_ACTIVATED]: { 1: EmergencyTermsActivatedEnvelopeDto },
};

const joinProblems = (problems: TermProblem[], prefix: string) => problems.map((p) => `${p.field ? `${prefix}.${p.field}` : prefix}: ${p.message}`).join('; ');

/** Parses and validates one message of `agreements.v1`. Never throws: what is not a valid
 * agreement event comes back with the reason, for the quarantine. */
export function parseAgreementEvent(raw: MessageBody): ParseResult<AgreementEvent> {
  // JSON, a known type and version (a newer one waits for an upgrade), the schema: as every topic.
  const parsed = parseWith(raw, AGREEMENT_SCHEMAS);
  if (!parsed.ok) return parsed;
  const { type, schemaVersion } = parsed.event;
  const event = parsed.event as AgreementEvent;
  const expectedStream = agreementStreamId(event.data.agreementId);
  if (event.streamId !== expectedStream) {
    return { ok: false, reason: `invalid ${type}: streamId ${event.streamId} should be ${expectedStream}` };
  }
  // Version 2 exists for the emergency term: a version 2 grant or amendment without it is refused,
  // so that a node's version says whether an aggregator must know emergency terms to read it.
  if (schemaVersion === 2 && (type === AGREEMENT_GRANTED || type === AGREEMENT_AMENDED)) {
    const carries = (type === AGREEMENT_GRANTED ? event.data : (event.data as { changes: object }).changes) as { emergency?: unknown };
    if (carries.emergency === undefined)
      return { ok: false, reason: `invalid ${type}: schemaVersion 2 carries the emergency term; without it the event is version 1` };
  }
  // A grant opens its stream; amendments, revocations and activations can only follow it.
  if ((event.type === AGREEMENT_GRANTED) !== (event.streamVersion === 1)) {
    return { ok: false, reason: `invalid ${type}: streamVersion ${event.streamVersion}: a grant is version 1 of its stream, and only a grant` };
  }
  switch (event.type) {
    case AGREEMENT_GRANTED: {
      const { agreementId: _id, ...terms } = event.data;
      const problems = checkAgreementTerms(terms);
      if (problems.length > 0) return { ok: false, reason: `invalid ${type}: ${joinProblems(problems, 'data')}` };
      break;
    }
    case AGREEMENT_AMENDED: {
      const problems = checkAgreementChanges(event.data.changes);
      if (problems.length > 0) return { ok: false, reason: `invalid ${type}: ${joinProblems(problems, 'data.changes')}` };
      break;
    }
    case EMERGENCY_TERMS_ACTIVATED:
    case AGREEMENT_REVOKED: {
      const { reason } = event.data;
      if (reason.trim().length === 0 || reason.length > MAX_REASON_LENGTH) {
        return { ok: false, reason: `invalid ${type}: data.reason must say why, in 1 to ${MAX_REASON_LENGTH} characters` };
      }
      break;
    }
  }
  return { ok: true, event };
}
