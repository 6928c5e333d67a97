import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PURPOSE_HEADER, PURPOSE_MAX_LENGTH, PURPOSE_PATTERN } from './purpose';

/** The `purpose` query parameter every audited endpoint accepts (or the header of the same name). */
export class PurposeQueryDto {
  @ApiPropertyOptional({ description: `Why you ask, recorded in the audit trail (or send the ${PURPOSE_HEADER} header)`, maxLength: PURPOSE_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @MaxLength(PURPOSE_MAX_LENGTH)
  @Matches(PURPOSE_PATTERN, { message: 'purpose must be printable text' })
  purpose?: string;
}
