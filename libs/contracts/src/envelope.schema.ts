import 'reflect-metadata';
import { Type, plainToInstance } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
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
import {
  EventEnvelope,
  MOVEMENT_RECORDED,
  MOVEMENT_RETRACTED,
  MovementEvent,
  movementStreamId,
  RETRACTION_REASONS,
} from './events';
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

export const MOVEMENT_SCHEMAS: Schemas = {
  [MOVEMENT_RECORDED]: { 1: MovementRecordedEnvelopeDto },
  [MOVEMENT_RETRACTED]: { 1: MovementRetractedEnvelopeDto },
};

export type ParseResult<T> = { ok: true; event: T } | { ok: false; reason: string };

export function flattenErrors(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => `${path}: ${m}`);
    return [...own, ...flattenErrors(e.children ?? [], path)];
  });
}

export type Schemas = Record<string, Record<number, new () => EnvelopeDto>>;

/** JSON, a known type and version, and the shape its schema class describes; the checks every
 * topic shares. `certainlyValid`, when given, is the compiled valid case of those classes: what it
 * accepts skips class-validator. */
export function parseWith(raw: Buffer | string | null, schemas: Schemas, certainlyValid?: (json: Record<string, unknown>) => boolean): ParseResult<EventEnvelope> {
  if (raw === null) return { ok: false, reason: 'empty message (null value)' };
  let json: unknown;
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
  const versions = typeof type === 'string' ? schemas[type] : undefined;
  if (!versions) return { ok: false, reason: `unknown event type: ${JSON.stringify(type)}` };
  const schema = typeof schemaVersion === 'number' ? versions[schemaVersion] : undefined;
  if (!schema) return { ok: false, reason: `unsupported schemaVersion ${JSON.stringify(schemaVersion)} for ${type}` };
  const instance = plainToInstance(schema, json);
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) return { ok: false, reason: `invalid ${type}: ${flattenErrors(errors).join('; ')}` };
  return { ok: true, event: json as EventEnvelope };
}

/** Parses and validates one message of `movements.v1`. Never throws: what is not a valid event
 * comes back with the reason, for the quarantine. */
export function parseMovementEvent(raw: Buffer | string | null): ParseResult<MovementEvent> {
  const parsed = parseWith(raw, MOVEMENT_SCHEMAS, movementEnvelopeIsValid);
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
