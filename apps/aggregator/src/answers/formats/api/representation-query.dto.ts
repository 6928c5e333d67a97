import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PurposeQueryDto } from '../../purpose-query.dto';
import { Delimiter, DELIMITERS, Format, FORMATS } from '../representation/negotiate';

/** `format` and `delimiter`, accepted by every answer that has exchange formats (flows, referral summaries). */
export class RepresentationQueryDto extends PurposeQueryDto {
  @ApiPropertyOptional({
    enum: FORMATS,
    description:
      'json (default), csv (for spreadsheets), sdmx-csv (SDMX-CSV 2.0), sdmx-json (SDMX-JSON 2.0 data message), hxl (CSV with HXL hashtags). ' +
      'Overrides Accept, so that a link or Power Query can choose; see docs/integrators.md',
  })
  @IsOptional()
  @IsIn(FORMATS, { message: `format accepts only: ${FORMATS.join(', ')}` })
  format?: Format;

  @ApiPropertyOptional({
    enum: DELIMITERS,
    default: 'comma',
    description: 'CSV separator: semicolon for a spreadsheet in a Russian (or most continental) locale; decimals are then written with a comma',
  })
  @IsOptional()
  @IsIn(DELIMITERS, { message: `delimiter accepts only: ${DELIMITERS.join(', ')}` })
  delimiter?: Delimiter;
}
