import { isISO8601, isUUID, matches } from 'class-validator';
import { MOVEMENT_RECORDED, MOVEMENT_RETRACTED, RETRACTION_REASONS } from './events';
import { AGE_BANDS, CATEGORIES, DIRECTIONS, findBorderCrossingPoint, isCountryCode, PROVIDER_STATES, SEXES, SPECIFIC_NEEDS } from './reference';

// The decorators of envelope.schema.ts for movements.v1, compiled once into plain checks for the
// valid case: each line mirrors one property's decorators with class-validator's own predicates,
// without its per-message metadata walk and class-transformer's copy. What these do not accept
// goes the slow way (class-validator), which gives the error; envelope.fast-check.spec.ts checks
// that they never accept what class-validator refuses. A property added to the classes and not
// here only sends its messages the slow way.

type Check = (v: unknown) => boolean;
const nil = (v: unknown) => v === null || v === undefined;
const inSet = (values: readonly string[]): Check => {
  const set = new Set<unknown>(values);
  return (v) => set.has(v);
};
const isInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const country: Check = (v) => isString(v) && isCountryCode(v);
const isNeed = inSet(SPECIFIC_NEEDS);
const STRICT = { strict: true };
const STREAM_ID = /^[a-z]+-[0-9a-f-]{36}$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.prototype.toString.call(v) === '[object Object]';
const has = (o: object, key: string) => Object.prototype.hasOwnProperty.call(o, key);

const ENVELOPE: Record<string, Check> = {
  eventId: (v) => isUUID(v),
  type: isString,
  schemaVersion: (v) => isInt(v) && (v as number) >= 1,
  provider: inSet(PROVIDER_STATES),
  streamId: (v) => isString(v) && matches(v, STREAM_ID),
  streamVersion: (v) => isInt(v) && (v as number) >= 1,
  occurredOn: (v) => isISO8601(v, STRICT) && matches(v as string, DATE_ONLY),
  recordedAt: (v) => isISO8601(v, STRICT) && matches(v as string, TIMESTAMP),
  data: isPlainObject,
  keyId: isString,
  signature: isString,
};
// Version 2: signed by batch (batch, proof) instead of `signature`.
const HASH = /^[A-Za-z0-9_-]{43}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{86}$/;
const isHash = (v: unknown) => isString(v) && HASH.test(v);
const BATCH: Record<string, Check> = { root: isHash, size: (v) => isInt(v) && (v as number) >= 1, signature: (v) => isString(v) && SIGNATURE.test(v) };
const PROOF: Record<string, Check> = { index: (v) => isInt(v) && (v as number) >= 0, path: (v) => Array.isArray(v) && v.length <= 48 && v.every(isHash) };
const { signature: _signature, ...ENVELOPE_COMMON } = ENVELOPE;
const ENVELOPE_V2: Record<string, Check> = {
  ...ENVELOPE_COMMON,
  batch: (v) => isPlainObject(v) && conforms(v, BATCH, Object.keys(BATCH)),
  proof: (v) => isPlainObject(v) && conforms(v, PROOF, Object.keys(PROOF)),
};
const ENVELOPE_REQUIRED = ['eventId', 'type', 'schemaVersion', 'provider', 'streamId', 'streamVersion', 'occurredOn', 'recordedAt', 'data'];

const RECORDED: Record<string, Check> = {
  direction: inSet(DIRECTIONS),
  borderCrossingPoint: (v) => isString(v) && findBorderCrossingPoint(v) !== undefined,
  citizenship: country,
  departedFrom: (v) => nil(v) || country(v),
  intendedDestination: (v) => nil(v) || country(v),
  category: inSet(CATEGORIES),
  sex: inSet(SEXES),
  ageBand: inSet(AGE_BANDS),
  specificNeeds: (v) => Array.isArray(v) && v.length <= SPECIFIC_NEEDS.length && v.every(isNeed) && new Set(v).size === v.length,
};
const RECORDED_REQUIRED = ['direction', 'borderCrossingPoint', 'citizenship', 'category', 'sex', 'ageBand', 'specificNeeds'];

const RETRACTED: Record<string, Check> = {
  movementEventId: (v) => isUUID(v),
  reason: inSet(RETRACTION_REASONS),
};
const RETRACTED_REQUIRED = ['movementEventId', 'reason'];

function conforms(o: Record<string, unknown>, checks: Record<string, Check>, required: string[]): boolean {
  for (const key of required) if (!has(o, key)) return false;
  for (const key of Object.keys(o)) {
    const check = has(checks, key) ? checks[key] : undefined;
    if (!check || !check(o[key])) return false;
  }
  return true;
}

/** True when `json` is certainly a valid movements.v1 envelope of schema version 1 or 2 (the
 * valid case of the Movement*EnvelopeDto and Movement*EnvelopeV2Dto classes); false says only "ask
 * class-validator". */
export function movementEnvelopeIsValid(json: Record<string, unknown>): boolean {
  const envelope = json.schemaVersion === 1 ? ENVELOPE : json.schemaVersion === 2 ? ENVELOPE_V2 : null;
  if (!envelope || !conforms(json, envelope, ENVELOPE_REQUIRED)) return false;
  const data = json.data as Record<string, unknown>;
  if (json.type === MOVEMENT_RECORDED) return conforms(data, RECORDED, RECORDED_REQUIRED);
  if (json.type === MOVEMENT_RETRACTED) return conforms(data, RETRACTED, RETRACTED_REQUIRED);
  return false;
}
