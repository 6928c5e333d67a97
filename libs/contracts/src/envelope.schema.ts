import 'reflect-metadata';
import { Type, plainToInstance } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsEmpty,
  IsIn,
  IsISO8601,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Min,
  ValidateIf,
  ValidateNested,
  validateSync,
  ValidationError,
} from 'class-validator';
import { EventEnvelope, MOVEMENT_RECORDED, MOVEMENT_RETRACTED, MovementEvent, movementStreamId, RETRACTION_REASONS } from './events';
import { AGE_BANDS, CATEGORIES, DIRECTIONS, findBorderCrossingPoint, PROVIDER_STATES, SEXES, SPECIFIC_NEEDS } from './reference';
import { movementEnvelopeIsValid } from './envelope.fast-check';
import { IsBorderCrossingPoint, IsCountryCode } from './validators';

/** The classes below validate what arrives from Kafka before anything else touches it. */

export class EnvelopeDto implements Omit<EventEnvelope, 'data'> {
  @IsUUID() eventId: string;
  @IsString() type: string;
  @IsInt() @Min(1) schemaVersion: number;
  @IsIn(PROVIDER_STATES) provider: string;
  @IsString() @Matches(/^[a-z]+-[0-9a-f-]{36}$/) streamId: string;
  @IsInt() @Min(1) streamVersion: number;
  @IsISO8601({ strict: true }) @Matches(/^\d{4}-\d{2}-\d{2}$/) occurredOn: string;
  @IsISO8601({ strict: true }) @Matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/) recordedAt: string;
  @IsObject() data: unknown;
  // Absent here is left to the signature check (SIGNATURE.MISSING, a clearer reason); null is not.
  @ValidateIf((o) => o.keyId !== undefined) @IsString() keyId?: string;
  @ValidateIf((o) => o.signature !== undefined) @IsString() signature?: string;
}

export class MovementRecordedDataDto {
  @IsIn(DIRECTIONS) direction: string;
  @IsBorderCrossingPoint() borderCrossingPoint: string;
  @IsCountryCode() citizenship: string;
  @IsOptional() @IsCountryCode() departedFrom: string | null;
  @IsOptional() @IsCountryCode() intendedDestination: string | null;
  @IsIn(CATEGORIES) category: string;
  @IsIn(SEXES) sex: string;
  @IsIn(AGE_BANDS) ageBand: string;
  @IsArray() @ArrayMaxSize(SPECIFIC_NEEDS.length) @ArrayUnique() @IsIn(SPECIFIC_NEEDS, { each: true }) specificNeeds: string[];
}

export class MovementRetractedDataDto {
  @IsUUID() movementEventId: string;
  @IsIn(RETRACTION_REASONS) reason: string;
}

class MovementRecordedEnvelopeDto extends EnvelopeDto {
  @ValidateNested() @Type(() => MovementRecordedDataDto) declare data: MovementRecordedDataDto;
}
class MovementRetractedEnvelopeDto extends EnvelopeDto {
  @ValidateNested() @Type(() => MovementRetractedDataDto) declare data: MovementRetractedDataDto;
}

const HASH = /^[A-Za-z0-9_-]{43}$/;
/** Signature version 2: the signed root of the node's batch (docs/signing.md). */
export class BatchRootDto {
  @IsString() @Matches(HASH) root: string;
  @IsInt() @Min(1) size: number;
  @IsString() @Matches(/^[A-Za-z0-9_-]{86}$/) signature: string;
}
/** The event's audit path in that batch's tree, bottom-up. */
export class InclusionProofDto {
  @IsInt() @Min(0) index: number;
  @IsArray() @ArrayMaxSize(48) @IsString({ each: true }) @Matches(HASH, { each: true }) path: string[];
}
/** Version 2 of a movement event: version 1's data, signed by batch. Absent `batch` or `proof` is
 * left to the signature check (SIGNATURE.MISSING), as `signature` is in version 1. */
class BatchSignedEnvelopeDto extends EnvelopeDto {
  @ValidateIf((o) => o.batch !== undefined) @ValidateNested() @Type(() => BatchRootDto) batch?: BatchRootDto;
  @ValidateIf((o) => o.proof !== undefined) @ValidateNested() @Type(() => InclusionProofDto) proof?: InclusionProofDto;
  @IsEmpty({ message: 'signature: version 2 is signed by batch (batch, proof), not one by one' }) declare signature?: string;
}
class MovementRecordedEnvelopeV2Dto extends BatchSignedEnvelopeDto {
  @ValidateNested() @Type(() => MovementRecordedDataDto) declare data: MovementRecordedDataDto;
}
class MovementRetractedEnvelopeV2Dto extends BatchSignedEnvelopeDto {
  @ValidateNested() @Type(() => MovementRetractedDataDto) declare data: MovementRetractedDataDto;
}

/** Every live version of each type (docs/events.md, "Versioning"); docs/asyncapi.yaml carries each. */
export const MOVEMENT_SCHEMAS: Schemas = {
  [MOVEMENT_RECORDED]: { 1: MovementRecordedEnvelopeDto, 2: MovementRecordedEnvelopeV2Dto },
  [MOVEMENT_RETRACTED]: { 1: MovementRetractedEnvelopeDto, 2: MovementRetractedEnvelopeV2Dto },
};

/** Not taken in: a reason for the quarantine, or, with `awaits`, an event of a version newer than
 * this aggregator knows, which waits for an upgrade instead (it may well be valid). */
export type ParseResult<T> = { ok: true; event: T } | { ok: false; reason: string; awaits?: Awaits };

/** What is known of an event that waits for an upgrade: enough to order it and say whose it is. */
export interface Awaits {
  type: string;
  schemaVersion: number;
  eventId: string;
  provider: string;
  streamId: string;
}

/** The schemas without the versions above `max` (AGGREGATOR_MAX_SCHEMA_VERSION): an aggregator
 * limited so treats a newer version as one it does not know yet. */
export function limitVersions(schemas: Schemas, max: number): Schemas {
  return Object.fromEntries(
    Object.entries(schemas).map(([type, versions]) => [type, Object.fromEntries(Object.entries(versions).filter(([v]) => Number(v) <= max))]),
  );
}

/** The highest version of each type in a table. */
export const newestVersion = (versions: Record<number, unknown>): number => Math.max(0, ...Object.keys(versions).map(Number));

export function flattenErrors(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => `${path}: ${m}`);
    return [...own, ...flattenErrors(e.children ?? [], path)];
  });
}

export type Schemas = Record<string, Record<number, new () => EnvelopeDto>>;

/** A message body its reader has already parsed as JSON (the aggregator's ingest pipeline, which
 * checks the signature over the same value first): the parsers take it rather than parse the bytes
 * again. What they normalise they change in it. */
export class ParsedJson {
  constructor(readonly value: unknown) {}
}

/** A message as it arrived, or its body already parsed. */
export type MessageBody = Buffer | string | ParsedJson | null;

/** JSON, a known type and version, and the shape its schema class describes; the checks every
 * topic shares. `certainlyValid`, when given, is the compiled valid case of those classes: what it
 * accepts skips class-validator. */
export function parseWith(raw: MessageBody, schemas: Schemas, certainlyValid?: (json: Record<string, unknown>) => boolean): ParseResult<EventEnvelope> {
  if (raw === null) return { ok: false, reason: 'empty message (null value)' };
  let json: unknown;
  if (raw instanceof ParsedJson) json = raw.value;
  else
    try {
      json = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
    } catch (e) {
      return { ok: false, reason: `not JSON: ${(e as Error).message}` };
    }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, reason: 'not a JSON object' };
  }
  if (certainlyValid?.(json as Record<string, unknown>)) return { ok: true, event: json as EventEnvelope };
  const { type, schemaVersion } = json as { type?: unknown; schemaVersion?: unknown };
  // Own members only: a type named like an Object member (`constructor`) is unknown, not a crash.
  const versions = typeof type === 'string' && Object.prototype.hasOwnProperty.call(schemas, type) ? schemas[type] : undefined;
  if (!versions) return { ok: false, reason: `unknown event type: ${JSON.stringify(type)}` };
  const schema = typeof schemaVersion === 'number' ? versions[schemaVersion] : undefined;
  if (!schema && Number.isSafeInteger(schemaVersion) && (schemaVersion as number) > newestVersion(versions)) {
    const j = json as Record<string, unknown>;
    const envelopeProblem = awaitableEnvelope(j);
    if (envelopeProblem) return { ok: false, reason: `invalid ${type}: ${envelopeProblem}` };
    return {
      ok: false,
      reason: `schemaVersion ${schemaVersion} of ${type} is newer than this aggregator knows`,
      awaits: {
        type: type as string,
        schemaVersion: schemaVersion as number,
        eventId: j.eventId as string,
        provider: j.provider as string,
        streamId: j.streamId as string,
      },
    };
  }
  if (!schema) return { ok: false, reason: `unsupported schemaVersion ${JSON.stringify(schemaVersion)} for ${type}` };
  const instance = plainToInstance(schema, json);
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) return { ok: false, reason: `invalid ${type}: ${flattenErrors(errors).join('; ')}` };
  return { ok: true, event: json as EventEnvelope };
}

/** What an event of an unknown newer version must still have to wait (the members that order it
 * and say whose it is), or the problem; the rest is left to the aggregator that knows the version. */
export function awaitableEnvelope(json: Record<string, unknown>): string | null {
  if (typeof json.eventId !== 'string' || !/^[0-9a-fA-F-]{36}$/.test(json.eventId)) return 'eventId: must be a UUID';
  if (!(PROVIDER_STATES as readonly unknown[]).includes(json.provider)) return `provider: must be one of the following values: ${PROVIDER_STATES.join(', ')}`;
  if (typeof json.streamId !== 'string' || !/^[a-z]+-[0-9a-f-]{36}$/.test(json.streamId)) return 'streamId: must match /^[a-z]+-[0-9a-f-]{36}$/';
  return null;
}

/** Parses and validates one message of `movements.v1`, against `schemas` (all the versions this
 * code knows, or fewer: `limitVersions`). Never throws: what is not a valid event comes back with
 * the reason, for the quarantine, or as awaiting an upgrade. */
export function parseMovementEvent(raw: MessageBody, schemas: Schemas = MOVEMENT_SCHEMAS): ParseResult<MovementEvent> {
  const max = Math.min(...Object.values(schemas).map(newestVersion));
  const parsed = parseWith(raw, schemas, (json) => (json.schemaVersion as number) <= max && movementEnvelopeIsValid(json));
  if (!parsed.ok) return parsed;
  const type = parsed.event.type;
  const event = parsed.event as MovementEvent;
  // A movement's stream is derived from its event id; a retraction must sit on the stream of the
  // movement it withdraws. Otherwise two retractions on two streams could withdraw one movement twice.
  const expectedStream = movementStreamId(event.type === MOVEMENT_RECORDED ? event.eventId : event.data.movementEventId);
  if (event.streamId !== expectedStream) {
    return { ok: false, reason: `invalid ${type}: streamId ${event.streamId} should be ${expectedStream}` };
  }
  if (event.type === MOVEMENT_RECORDED) {
    const d = event.data;
    const bcp = findBorderCrossingPoint(d.borderCrossingPoint);
    if (bcp && bcp.state !== event.provider) {
      return { ok: false, reason: `invalid ${type}: data.borderCrossingPoint ${d.borderCrossingPoint} is in ${bcp.state}, not in ${event.provider}` };
    }
    d.departedFrom ??= null;
    d.intendedDestination ??= null;
  }
  return { ok: true, event };
}
