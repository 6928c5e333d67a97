import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { PurposeQueryDto } from '../../answers/purpose-query.dto';
import { MAX_FIGURE, MAX_PLACE_NAME, MAX_PLACES, MAX_REASON } from '../domain/scenario';

export class ReceptionPlaceDto {
  @ApiProperty({ example: 'Mashhad transit centre', maxLength: MAX_PLACE_NAME })
  @IsString()
  @MaxLength(MAX_PLACE_NAME)
  name!: string;

  @ApiProperty({ description: 'People per day the place can receive', example: 150 })
  @IsInt()
  @Min(0)
  @Max(MAX_FIGURE)
  capacityPerDay!: number;
}

export class SetScenarioDto {
  @ApiProperty({ description: 'A route departedFrom>provider>intendedDestination, or a border crossing point code', example: 'AF>IR>TR' })
  @IsString()
  @MaxLength(40)
  target!: string;

  @ApiPropertyOptional({ description: 'Expected arrivals per week under the scenario', example: 400 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_FIGURE)
  planningFigure?: number;

  @ApiPropertyOptional({ description: 'Reception capacity, people per day (or give places; if both, it must be their sum)', example: 50 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_FIGURE)
  capacityPerDay?: number;

  @ApiPropertyOptional({ type: [ReceptionPlaceDto], description: 'The receiving places and their capacities' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_PLACES)
  @ValidateNested({ each: true })
  @Type(() => ReceptionPlaceDto)
  places?: ReceptionPlaceDto[];

  @ApiProperty({ description: 'Why (shown in the history)', example: 'Winter scenario 2027 agreed at the regional meeting', maxLength: MAX_REASON })
  @IsString()
  @MaxLength(MAX_REASON)
  reason!: string;

  @ApiPropertyOptional({ description: 'The version you read (0: none yet); another version now answers 409', example: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  expectedVersion?: number;
}

export class WithdrawScenarioDto {
  @ApiProperty({ example: 'AF>IR>TR' })
  @IsString()
  @MaxLength(40)
  target!: string;

  @ApiProperty({ example: 'The scenario no longer applies', maxLength: MAX_REASON })
  @IsString()
  @MaxLength(MAX_REASON)
  reason!: string;

  @ApiPropertyOptional({ description: 'The version you read; another version now answers 409' })
  @IsOptional()
  @IsInt()
  @Min(0)
  expectedVersion?: number;
}

export class ScenariosQueryDto extends PurposeQueryDto {
  @ApiPropertyOptional({ enum: ['active', 'all'], default: 'active', description: '`all` lists withdrawn scenarios too' })
  @IsOptional()
  @IsIn(['active', 'all'])
  status: 'active' | 'all' = 'active';
}
