import { AppValidationPipe, toFieldErrors } from '@caravanserai/platform';
import { generateMovements, toRawMovement } from '@caravanserai/synthetic';
import { plainToInstance } from 'class-transformer';
import { isISO8601, validateSync } from 'class-validator';
import fc from 'fast-check';
import { isCalendarDay, MovementBatchDto, RawMovementDto } from './raw-movement.dto';

const validate = (body: unknown) => toFieldErrors(validateSync(plainToInstance(MovementBatchDto, body), { whitelist: true, forbidNonWhitelisted: true }));

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
    expect(errors.map((e) => `${e.index}:${e.field}`)).toEqual(expect.arrayContaining(['1:crossedAt', '1:specificNeeds', '2:departedFrom', '2:ssn']));
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

describe('MovementBatchDto.acceptIfValid (the compiled valid case)', () => {
  const generated = [...generateMovements({ seed: 3, from: '2025-01-01', to: '2025-01-03', scale: 0.05 })].map(toRawMovement);
  const pipe = new AppValidationPipe();
  const viaPipe = (body: unknown) => pipe.transform(body, { type: 'body', metatype: MovementBatchDto });

  it('accepts generated records, as class-validator does, and gives the same instances', () => {
    const body = { records: generated.slice(0, 200) };
    expect(validate(body)).toEqual([]);
    const fast = MovementBatchDto.acceptIfValid(JSON.parse(JSON.stringify(body)))!;
    const slow = plainToInstance(MovementBatchDto, JSON.parse(JSON.stringify(body)));
    expect(fast).toBeInstanceOf(MovementBatchDto);
    expect(fast.records.every((r) => r instanceof RawMovementDto)).toBe(true);
    expect(fast).toEqual(slow);
  });

  // Values worth trying in any field: the wrong type, empty, too long, a near miss of each code list.
  const oddValue = fc.oneof(
    fc.constantFrom(null, undefined, 0, true, [], {}, '', ' ', 'x'.repeat(129), 'x'.repeat(4097), 'AF', 'XX', 'zz', 'IR-DOGHAROUN', 'ir-dogharoun'),
    fc.constantFrom(
      '2025-02-29T10:00:00+03:30',
      '2024-02-29T10:00:00+03:30',
      '2025-01-01T24:00:00Z',
      '2025-01-01T10:00Z',
      '2025-01-01T10:00:00.1234567891Z',
      '2025-01-01',
      '2025-13-01',
      '0099-12-31T10:00:00Z',
      '0100-02-28T10:00:00Z',
      '1900-02-29T10:00:00Z',
      '2000-02-29T10:00:00Z',
      '2000-02-29',
      '1900-02-29',
      '0050-06-01',
    ),
    // Lengths counted in code points: surrogate pairs and variation selectors near the limits.
    fc.constantFrom('😀'.repeat(64), '😀'.repeat(65), 'x'.repeat(128) + '\uFE0F', 'a\uFE0F'.repeat(70), '\uD800'.repeat(129), '😀'.repeat(2049)),
    fc.constantFrom(['disability'], ['disability', 'disability'], ['flying'], 'disability', 'entry', 'refugee', 'female', 'passport'),
    fc.string({ maxLength: 8 }),
  );
  const fields = [
    'recordId',
    'crossedAt',
    'direction',
    'borderCrossingPoint',
    'citizenship',
    'departedFrom',
    'intendedDestination',
    'category',
    'sex',
    'dateOfBirth',
    'specificNeeds',
    'fullName',
    'documentNumber',
    'documentType',
    'phone',
    'address',
    'notes',
    'ssn',
    '__proto__',
    'constructor',
  ];

  it('never accepts a record that class-validator refuses (mutated records)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: generated.length - 1 }),
        fc.array(fc.tuple(fc.constantFrom(...fields), oddValue, fc.boolean()), { minLength: 1, maxLength: 3 }),
        (i, edits) => {
          const record: Record<string, unknown> = JSON.parse(JSON.stringify(generated[i]));
          for (const [field, value, remove] of edits) {
            if (remove) delete record[field];
            else Object.defineProperty(record, field, { value, enumerable: true, writable: true, configurable: true });
          }
          const body = { records: [record] };
          const accepted = MovementBatchDto.acceptIfValid(body) !== null;
          const errors = validate(body);
          if (accepted) expect(errors).toEqual([]);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('refuses the batch shapes class-validator refuses', () => {
    for (const body of [
      null,
      [],
      'x',
      {},
      { records: [] },
      { records: {} },
      { records: [generated[0]], extra: 1 },
      { records: Array(5001).fill(generated[0]) },
      { records: [generated[0], 'x'] },
    ]) {
      expect(MovementBatchDto.acceptIfValid(body)).toBeNull();
    }
  });

  it('leaves errors to class-validator: the pipe still reports every field', async () => {
    await expect(viaPipe({ records: [{ ...generated[0], sex: 'x' }] })).rejects.toMatchObject({ errors: [{ index: 0, field: 'sex' }] });
  });

  it('takes a calendar day exactly when the strict ISO 8601 check does, for every YYYY-MM-DD of the years tried', () => {
    const years = [...Array.from({ length: 130 }, (_, y) => y), 1582, 1600, 1700, 1900, 2000, 2024, 2025, 2100, 9999];
    const differ: string[] = [];
    for (const year of years)
      for (let month = 0; month <= 13; month++)
        for (let day = 0; day <= 32; day++) {
          const s = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          if (isISO8601(s) && isCalendarDay(s) !== isISO8601(s, { strict: true })) differ.push(s);
        }
    expect(differ).toEqual([]);
  });
});
