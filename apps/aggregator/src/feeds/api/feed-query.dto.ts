import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

/** `GET /v1/feed` and `GET /v1/feed/stream`. */
export class FeedQueryDto {
  @ApiPropertyOptional({ description: 'Resume just after this cursor (an earlier `cursor` or `next`); none: from the first item' })
  @IsOptional()
  @IsString()
  after?: string;
}

export class FeedPageQueryDto extends FeedQueryDto {
  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number from 1 to 1000' })
  @Min(1)
  @Max(1000)
  limit: number = 100;
}
