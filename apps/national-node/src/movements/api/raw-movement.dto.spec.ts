import { toFieldErrors } from '@caravanserai/platform';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { MovementBatchDto } from './raw-movement.dto';

const validate = (body: unknown) =>
  toFieldErrors(validateSync(plainToInstance(MovementBatchDto, body), { whitelist: true, forbidNonWhitelisted: true }));

const ok = {
  recordId: 'KZ-1',
  crossedAt: '2026-04-02T06:00:00+05:00',
  direction: 'entry',
  borderCrossingPoint: 'KZ-KORDAY',
  citizenship: 'KG',
  category: 'labour_migrant',
  sex: 'male',
};

describe('MovementBatchDto', () => {
  it('accepts a minimal record and the personal fields it will drop', () => {
    expect(validate({ records: [ok, { ...ok, recordId: 'KZ-2', fullName: 'A B', documentType: 'passport', specificNeeds: ['disability'] }] })).toEqual([]);
  });

  it('reports each problem by record index and field path', () => {
    const errors = validate({
      records: [ok, { ...ok, crossedAt: '2026-04-02 06:00', specificNeeds: ['disability', 'flying'] }, { ...ok, departedFrom: 'Kyrgyzstan', ssn: '1' }],
    });
    expect(errors.map((e) => `${e.index}:${e.field}`)).toEqual(
      expect.arrayContaining(['1:crossedAt', '1:specificNeeds', '2:departedFrom', '2:ssn']),
    );
    expect(errors.every((e) => e.message.length > 0)).toBe(true);
  });

  it('refuses a timestamp without an offset: the local crossing date would be ambiguous', () => {
    expect(validate({ records: [{ ...ok, crossedAt: '2026-04-02T06:00:00' }] })).toEqual([
      { index: 0, field: 'crossedAt', message: 'crossedAt must be a timestamp with a time zone offset' },
    ]);
  });

  it('refuses an empty batch and one of more than 5,000 records', () => {
    expect(validate({ records: [] })[0]).toMatchObject({ field: 'records' });
    const big = Array.from({ length: 5001 }, (_, i) => ({ ...ok, recordId: `R${i}` }));
    expect(validate({ records: big }).map((e) => e.message)).toContain('records must contain no more than 5000 elements');
  });
});
