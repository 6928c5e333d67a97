import { ageBandOn, ageOn } from '@caravanserai/contracts';
import { anonymiseMovement, checkMovement, crossingDate } from './anonymise';
import type { RawMovement } from './raw-movement';

const raw = (over: Partial<RawMovement> = {}): RawMovement => ({
  recordId: 'IR-2026-000042',
  crossedAt: '2026-03-02T01:15:00+04:30',
  direction: 'entry',
  borderCrossingPoint: 'IR-DOGHAROUN',
  citizenship: 'AF',
  departedFrom: 'AF',
  intendedDestination: 'TR',
  category: 'irregular_migrant',
  sex: 'female',
  dateOfBirth: '2008-03-03',
  specificNeeds: ['woman_at_risk', 'single_parent', 'woman_at_risk'],
  fullName: 'Zahra Ahmadi',
  documentNumber: 'P01234567',
  documentType: 'passport',
  phone: '+93 700 123 456',
  address: 'District 5, Herat',
  notes: 'travelling with two children',
  ...over,
});

describe('age bands', () => {
  it.each([
    ['2020-01-01', '2024-12-31', '0-4'],
    ['2020-01-01', '2025-01-01', '5-11'],
    ['2008-03-03', '2026-03-02', '12-17'],
    ['2008-03-03', '2026-03-03', '18-59'],
    ['1966-03-03', '2026-03-02', '18-59'],
    ['1966-03-03', '2026-03-03', '60+'],
  ])('born %s, on %s: %s', (dob, day, band) => {
    expect(ageBandOn(dob, day)).toBe(band);
  });

  it('is unknown without a birth date', () => {
    expect(ageBandOn(undefined, '2026-01-01')).toBe('unknown');
    expect(ageBandOn(null, '2026-01-01')).toBe('unknown');
  });

  it('counts a 29 February birthday in non-leap years from 1 March', () => {
    expect(ageOn('2008-02-29', '2026-02-28')).toBe(17);
    expect(ageOn('2008-02-29', '2026-03-01')).toBe(18);
  });
});

describe('anonymiseMovement', () => {
  it('keeps the coded dimensions, turns the birth date into a band at the local crossing date', () => {
    const { occurredOn, data } = anonymiseMovement(raw());
    // 01:15 at +04:30 is still 1 March in UTC; the crossing date is the local one.
    expect(occurredOn).toBe('2026-03-02');
    expect(data).toEqual({
      direction: 'entry',
      borderCrossingPoint: 'IR-DOGHAROUN',
      citizenship: 'AF',
      departedFrom: 'AF',
      intendedDestination: 'TR',
      category: 'irregular_migrant',
      sex: 'female',
      ageBand: '12-17',
      specificNeeds: ['single_parent', 'woman_at_risk'],
    });
  });

  it('carries no direct identifier, exact birth date or time of day', () => {
    const input = raw();
    const text = JSON.stringify(anonymiseMovement(input));
    for (const value of [
      input.recordId,
      input.fullName,
      input.documentNumber,
      input.phone,
      input.address,
      input.notes,
      input.dateOfBirth,
      '01:15',
      'passport',
    ]) {
      expect(text).not.toContain(value);
    }
  });

  it('records unknown ends of a route as null', () => {
    const { data } = anonymiseMovement(raw({ departedFrom: undefined, intendedDestination: null }));
    expect(data.departedFrom).toBeNull();
    expect(data.intendedDestination).toBeNull();
  });
});

describe('checkMovement', () => {
  const now = new Date('2026-03-10T00:00:00Z');

  it('accepts a consistent record', () => {
    expect(checkMovement(raw(), 0, 'IR', now)).toEqual([]);
  });

  it('refuses a crossing point of another state, a future crossing and a birth after the crossing, by index and field', () => {
    const errors = checkMovement(raw({ borderCrossingPoint: 'AF-ISLAMQALA', crossedAt: '2026-04-01T10:00:00Z', dateOfBirth: '2026-05-01' }), 7, 'IR', now);
    expect(errors.map((e) => [e.index, e.field])).toEqual([
      [7, 'borderCrossingPoint'],
      [7, 'crossedAt'],
      [7, 'dateOfBirth'],
    ]);
  });

  it('takes the crossing date from the local timestamp', () => {
    expect(crossingDate('2026-12-31T23:30:00-01:00')).toBe('2026-12-31');
  });
});
