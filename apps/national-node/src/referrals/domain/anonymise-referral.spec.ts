import { anonymiseReferral, checkReferral } from './anonymise-referral';
import type { RawReferral } from './raw-referral';

const raw = (over: Partial<RawReferral> = {}): RawReferral => ({
  recordId: 'IR-REF-2026-000042',
  referredAt: '2026-03-02T01:15:00+04:30',
  category: 'victim_of_trafficking',
  specificNeeds: ['trafficking_indicators', 'woman_at_risk', 'trafficking_indicators'],
  sex: 'female',
  dateOfBirth: '2008-03-03',
  borderCrossingPoint: 'IR-DOGHAROUN',
  referredTo: 'anti_trafficking',
  fullName: 'Zahra Ahmadi',
  documentNumber: 'P01234567',
  phone: '+93 700 123 456',
  address: 'District 5, Herat',
  notes: 'met at the post at 01:15',
  ...over,
});
const referralId = '01963c4e-0000-7000-8000-0000000000aa';

describe('anonymiseReferral', () => {
  it('keeps the coded dimensions; the birth date becomes a band on the local referral date; the time is cut to the UTC hour', () => {
    expect(anonymiseReferral(raw(), referralId)).toEqual({
      occurredOn: '2026-03-02',
      data: {
        referralId,
        category: 'victim_of_trafficking',
        specificNeeds: ['trafficking_indicators', 'woman_at_risk'],
        sex: 'female',
        ageBand: '12-17',
        borderCrossingPoint: 'IR-DOGHAROUN',
        province: null,
        referredTo: 'anti_trafficking',
        movementEventId: null,
        referredAt: '2026-03-01T20:00:00Z',
      },
    });
  });

  it('carries no direct identifier, exact birth date or minute', () => {
    const input = raw();
    const text = JSON.stringify(anonymiseReferral(input, referralId));
    for (const value of [input.recordId, input.fullName, input.documentNumber, input.phone, input.address, input.notes, input.dateOfBirth, ':45:', '01:15']) {
      expect(text).not.toContain(value);
    }
  });
});

describe('checkReferral', () => {
  const now = new Date('2026-03-10T00:00:00Z');
  it('accepts a consistent record, at a crossing point or in a province', () => {
    expect(checkReferral(raw(), 0, 'IR', now)).toEqual([]);
    expect(checkReferral(raw({ borderCrossingPoint: null, province: 'IR-11' }), 0, 'IR', now)).toEqual([]);
  });

  it('wants exactly one place, in this state, a past time and a birth before it, by index and field', () => {
    expect(checkReferral(raw({ province: 'IR-11' }), 3, 'IR', now).map((e) => `${e.index}:${e.field}`)).toEqual(['3:province']);
    expect(checkReferral(raw({ borderCrossingPoint: undefined }), 3, 'IR', now).map((e) => `${e.index}:${e.field}`)).toEqual(['3:borderCrossingPoint']);
    const errors = checkReferral(raw({ borderCrossingPoint: 'AF-ISLAMQALA', referredAt: '2026-04-01T10:00:00Z', dateOfBirth: '2026-05-01' }), 7, 'IR', now);
    expect(errors.map((e) => `${e.index}:${e.field}`)).toEqual(['7:borderCrossingPoint', '7:referredAt', '7:dateOfBirth']);
    expect(checkReferral(raw({ borderCrossingPoint: null, province: 'PK-BA' }), 0, 'IR', now)[0].message).toMatch(/not a province of IR/);
  });
});
