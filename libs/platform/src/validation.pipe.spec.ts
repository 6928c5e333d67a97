import { Transform } from 'class-transformer';
import { IsIn, IsOptional } from 'class-validator';
import { ValidationFailed } from '@caravanserai/contracts';
import { AppValidationPipe, PureQuery } from './validation.pipe';

let transforms = 0;
const counted = () =>
  Transform(({ value }) => {
    transforms++;
    return typeof value === 'string' ? value.split(',') : value;
  });

@PureQuery()
class PureDto {
  @IsOptional()
  @counted()
  @IsIn(['a', 'b', 'c'], { each: true })
  list?: string[];

  @IsOptional()
  @IsIn(['x', 'y'])
  mode?: string;
}

class PlainDto {
  @IsOptional()
  @counted()
  list?: string[];
}

const query = (metatype: new () => object) => ({ type: 'query' as const, metatype, data: '' });

describe('AppValidationPipe with a @PureQuery() DTO', () => {
  const pipe = new AppValidationPipe();
  beforeEach(() => (transforms = 0));

  it('validates each distinct set of parameters once, and gives every request its own copy', async () => {
    const first = (await pipe.transform({ list: 'a,b', mode: 'x' }, query(PureDto))) as PureDto;
    const second = (await pipe.transform({ list: 'a,b', mode: 'x' }, query(PureDto))) as PureDto;
    expect(transforms).toBe(1);
    expect(second).toBeInstanceOf(PureDto);
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    expect(second.list).not.toBe(first.list);
    // A handler changing its DTO changes nobody else's.
    second.list!.push('c');
    const third = (await pipe.transform({ list: 'a,b', mode: 'x' }, query(PureDto))) as PureDto;
    expect(third.list).toEqual(['a', 'b']);
    await pipe.transform({ list: 'a,c', mode: 'x' }, query(PureDto));
    expect(transforms).toBe(2);
  });

  it('still refuses bad parameters every time', async () => {
    for (let i = 0; i < 2; i++) await expect(pipe.transform({ list: 'a,z' }, query(PureDto))).rejects.toBeInstanceOf(ValidationFailed);
    await expect(pipe.transform({ list: 'a', extra: '1' }, query(PureDto))).rejects.toBeInstanceOf(ValidationFailed);
  });

  it('leaves other DTOs to class-validator at every request', async () => {
    await pipe.transform({ list: 'a' }, query(PlainDto));
    await pipe.transform({ list: 'a' }, query(PlainDto));
    expect(transforms).toBe(2);
  });
});
