import { MAX_EMERGENCY_DAYS, MAX_REASON_LENGTH } from '@caravanserai/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { PurposeQueryDto } from '../../answers/purpose-query.dto';

/** `POST /v1/emergencies`: the shape here; the values (routes of reporting states, known crossing
 * points, at least one of them, days, a reason) are checked by the decider, every problem at once. */
export class DeclareEmergencyDto {
  @ApiPropertyOptional({ type: [String], example: ['AF>IR>TR'], description: 'Routes departedFrom>provider>intendedDestination the emergency covers' })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  routes?: string[];

  @ApiPropertyOptional({
    type: [String],
    example: ['IR-DOGHAROUN'],
    description: 'Crossing points it covers (GET /v1/reference); at least one route or crossing point in all',
  })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  borderCrossingPoints?: string[];

  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: MAX_EMERGENCY_DAYS,
    example: 30,
    description: 'In force at most this many days from now, unless declared over before',
  })
  @IsInt({ message: 'days must be a whole number of days' })
  days: number;

  // Its length and content are the decider's, reported with the other problems at once.
  @ApiProperty({ maxLength: MAX_REASON_LENGTH, example: 'Mass arrivals from Herat province after the earthquake' })
  @IsString()
  reason: string;
}

export class EndEmergencyDto {
  @ApiProperty({ maxLength: MAX_REASON_LENGTH, example: 'Arrivals back to their usual level' })
  @IsString()
  @MaxLength(MAX_REASON_LENGTH)
  @Matches(/\S/, { message: 'reason must say why the emergency is declared or ended' })
  reason: string;
}

/** `GET /v1/emergencies/{id}/shared`: newest first, paged like the audit trail. */
export class SharedQueryDto extends PurposeQueryDto {
  @ApiPropertyOptional({ description: 'Entries older than this id (the `next` of the previous page)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  before?: number;

  @ApiPropertyOptional({ default: 100, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 100;
}
