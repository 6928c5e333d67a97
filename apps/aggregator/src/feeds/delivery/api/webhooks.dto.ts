import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

const CURSOR = /^(0|[1-9][0-9]{0,18})$/;

export class CreateWebhookDto {
  @ApiProperty({
    description: 'https URL that receives one POST per feed item (plain http only to a local receiver where the operator allows it)',
    example: 'https://receiver.example/caravanserai',
  })
  @IsString()
  url!: string;

  @ApiPropertyOptional({ maxLength: 200, description: 'Your own note, shown back' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  description?: string;

  @ApiPropertyOptional({ description: 'Deliver the items after this feed cursor (as GET /v1/feed gives it); default: from now on', example: '0' })
  @IsOptional()
  @Matches(CURSOR, { message: 'after must be a cursor given by the feed (a decimal number)' })
  after?: string;
}

export class RedeliverWebhookDto {
  @ApiPropertyOptional({ description: 'Deliver again from just after this cursor (not beyond the one delivered up to); default: from the parked item' })
  @IsOptional()
  @Matches(CURSOR, { message: 'after must be a cursor given by the feed (a decimal number)' })
  after?: string;
}
