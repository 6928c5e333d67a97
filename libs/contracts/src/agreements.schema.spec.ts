import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgreementTerms } from './agreements';
import { withDataPeriod } from './agreements';
import { checkAgreementChanges, checkAgreementTerms, isCalendarDate, parseAgreementEvent } from './agreements.schema';
import { CATEGORIES } from './reference';

const terms: AgreementTerms = {
  recipient: 'secretariat',
  scope: { eventKinds: ['movements'], categories: { exclude: ['victim_of_trafficking'] } },
  dimensions: ['route', 'category'],
  minTimeGranularity: 'month',
  minGeoGranularity: 'country',
  minCellSize: 5,
  embargoDays: 30,
  validFrom: '2026-01-01',
  validUntil: '2026-12-31',
  purpose: 'Regional picture of mixed movements for the secretariat',
};
const fields = (t: unknown) => checkAgreementTerms(t as AgreementTerms).map((p) => p.field);

describe('checkAgreementTerms', () => {
  it('finds nothing wrong with valid terms', () => {
    expect(checkAgreementTerms(terms)).toEqual([]);
  });

  it.each<[string, Partial<Record<keyof AgreementTerms, unknown>>]>([
    ['any recipient', { recipient: '*' }],
    ['a state', { recipient: 'state:TR' }],
    ['a state outside the region', { recipient: 'state:DE' }],
    ['an organisation', { recipient: 'org:UNHCR' }],
    ['k = 1', { minCellSize: 1 }],
    ['no embargo', { embargoDays: 0 }],
    ['the longest embargo', { embargoDays: 3650 }],
    ['no end date', { validUntil: null }],
    ['a one-day validity', { validFrom: '2026-03-01', validUntil: '2026-03-01' }],
    ['every category (no categories)', { scope: { eventKinds: ['movements', 'referrals'] } }],
    ['an include list', { scope: { eventKinds: ['movements'], categories: { include: ['refugee', 'asylum_seeker'] } } }],
    ['no dimensions (totals only)', { dimensions: [] }],
    ['crossing points at crossing-point granularity', { dimensions: ['borderCrossingPoint'], minGeoGranularity: 'border_crossing_point' }],
    ['a 500-character purpose', { purpose: 'p'.repeat(500) }],
    ['a leap day', { validFrom: '2028-02-29', validUntil: null }],
    ['each time granularity', { minTimeGranularity: 'year' }],
    ['a data period (2026 data only)', { dataFrom: '2026-01-01', dataUntil: '2026-12-31' }],
    ['a one-day data period', { dataFrom: '2026-03-01', dataUntil: '2026-03-01' }],
    ['a data period with no first day', { dataFrom: null, dataUntil: '2025-12-31' }],
    ['a data period with no last day', { dataFrom: '2024-01-01', dataUntil: null }],
    ['a data period of a leap day', { dataFrom: '2028-02-29' }],
    ['a data period outside the time in force', { validFrom: '2026-01-01', validUntil: '2026-12-31', dataFrom: '2020-01-01', dataUntil: '2020-12-31' }],
    ['no data period, given as nulls', { dataFrom: null, dataUntil: null }],
  ])('accepts %s', (_, over) => {
    expect(checkAgreementTerms({ ...terms, ...over } as AgreementTerms)).toEqual([]);
  });

  it.each<[string, Partial<Record<keyof AgreementTerms, unknown>>, string, RegExp]>([
    ['k = 0', { minCellSize: 0 }, 'minCellSize', /whole number of at least 1/],
    ['a negative k', { minCellSize: -3 }, 'minCellSize', /at least 1/],
    ['a fractional k', { minCellSize: 2.5 }, 'minCellSize', /whole number/],
    ['k as a string', { minCellSize: '5' }, 'minCellSize', /whole number/],
    ['a negative embargo', { embargoDays: -1 }, 'embargoDays', /from 0 to 3650/],
    ['an embargo over ten years', { embargoDays: 3651 }, 'embargoDays', /from 0 to 3650/],
    ['a fractional embargo', { embargoDays: 1.5 }, 'embargoDays', /whole number/],
    ['validUntil before validFrom', { validFrom: '2026-06-01', validUntil: '2026-05-31' }, 'validUntil', /2026-05-31 is before validFrom 2026-06-01/],
    ['a date that does not exist', { validFrom: '2026-02-30' }, 'validFrom', /calendar date/],
    ['a timestamp for a date', { validFrom: '2026-02-01T00:00:00Z' }, 'validFrom', /calendar date/],
    ['a non-leap 29 February', { validUntil: '2027-02-29' }, 'validUntil', /calendar date/],
    ['month 13', { validUntil: '2026-13-01' }, 'validUntil', /calendar date/],
    [
      'both include and exclude',
      { scope: { eventKinds: ['movements'], categories: { include: ['refugee'], exclude: ['stateless'] } } },
      'scope.categories',
      /not both/,
    ],
    ['neither include nor exclude', { scope: { eventKinds: ['movements'], categories: {} } }, 'scope.categories', /include or exclude/],
    ['categories null', { scope: { eventKinds: ['movements'], categories: null } }, 'scope.categories', /include/],
    ['an empty include list', { scope: { eventKinds: ['movements'], categories: { include: [] } } }, 'scope.categories.include', /at least one/],
    ['an empty exclude list', { scope: { eventKinds: ['movements'], categories: { exclude: [] } } }, 'scope.categories.exclude', /at least one/],
    ['an unknown category', { scope: { eventKinds: ['movements'], categories: { include: ['tourist'] } } }, 'scope.categories.include', /"tourist"/],
    [
      'a repeated category',
      { scope: { eventKinds: ['movements'], categories: { exclude: ['refugee', 'refugee'] } } },
      'scope.categories.exclude',
      /repeats "refugee"/,
    ],
    [
      'every category excluded',
      { scope: { eventKinds: ['movements'], categories: { exclude: [...CATEGORIES] } } },
      'scope.categories.exclude',
      /share nothing/,
    ],
    ['no event kinds', { scope: { eventKinds: [] } }, 'scope.eventKinds', /at least one/],
    ['an unknown event kind', { scope: { eventKinds: ['tweets'] } }, 'scope.eventKinds', /"tweets"/],
    ['a repeated event kind', { scope: { eventKinds: ['movements', 'movements'] } }, 'scope.eventKinds', /repeats/],
    ['no scope', { scope: 'movements' }, 'scope', /object/],
    ['an unknown dimension', { dimensions: ['route', 'fullName'] }, 'dimensions', /"fullName"/],
    ['a repeated dimension', { dimensions: ['route', 'route'] }, 'dimensions', /repeats "route"/],
    ['dimensions not a list', { dimensions: 'route' }, 'dimensions', /list/],
    [
      'crossing points with country granularity',
      { dimensions: ['borderCrossingPoint'], minGeoGranularity: 'country' },
      'dimensions',
      /borderCrossingPoint.*country/,
    ],
    ['an unknown time granularity', { minTimeGranularity: 'hour' }, 'minTimeGranularity', /day, week, month, year/],
    ['an unknown geo granularity', { minGeoGranularity: 'province' }, 'minGeoGranularity', /border_crossing_point, country/],
    ['a malformed recipient', { recipient: 'state:tr' }, 'recipient', /secretariat, state:XX/],
    ['an organisation with one letter', { recipient: 'org:U' }, 'recipient', /org:NAME/],
    ['a state that does not exist', { recipient: 'state:QQ' }, 'recipient', /QQ is not an ISO/],
    ['the stateless code as a state', { recipient: 'state:XX' }, 'recipient', /not an ISO/],
    ['an empty purpose', { purpose: '' }, 'purpose', /1 to 500/],
    ['a blank purpose', { purpose: '   ' }, 'purpose', /1 to 500/],
    ['a purpose over 500 characters', { purpose: 'p'.repeat(501) }, 'purpose', /1 to 500/],
    ['a missing term', { purpose: undefined }, 'purpose', /purpose is required/],
    ['dataUntil before dataFrom', { dataFrom: '2026-06-01', dataUntil: '2026-05-31' }, 'dataUntil', /^dataUntil 2026-05-31 is before dataFrom 2026-06-01/],
    ['a dataFrom that does not exist', { dataFrom: '2026-02-30' }, 'dataFrom', /^dataFrom must be a calendar date YYYY-MM-DD/],
    ['a dataUntil that does not exist', { dataUntil: '2027-02-29' }, 'dataUntil', /^dataUntil must be a calendar date YYYY-MM-DD/],
    ['a timestamp for dataFrom', { dataFrom: '2026-01-01T00:00:00Z' }, 'dataFrom', /calendar date/],
    ['a year for dataUntil', { dataUntil: 2026 }, 'dataUntil', /calendar date/],
    ['an empty dataFrom', { dataFrom: '' }, 'dataFrom', /or null/],
  ])('refuses %s', (_, over, field, message) => {
    const problems = checkAgreementTerms({ ...terms, ...over } as AgreementTerms);
    expect(problems).toEqual([{ field, message: expect.stringMatching(message) }]);
  });

  it('takes a missing data period for an unbounded one (grants from before the term stay valid)', () => {
    expect('dataFrom' in terms || 'dataUntil' in terms).toBe(false);
    expect(checkAgreementTerms(terms)).toEqual([]);
    expect(withDataPeriod(terms)).toEqual({ ...terms, dataFrom: null, dataUntil: null });
    expect(withDataPeriod({ ...terms, dataFrom: '2026-01-01' })).toMatchObject({ dataFrom: '2026-01-01', dataUntil: null });
  });

  it('lists every problem at once', () => {
    expect(
      fields({
        ...terms,
        minCellSize: 0,
        scope: { eventKinds: ['movements'], categories: { include: ['refugee'], exclude: ['stateless'] } },
        dimensions: ['borderCrossingPoint'],
        minGeoGranularity: 'country',
        validUntil: '2025-01-01',
      }).sort(),
    ).toEqual(['dimensions', 'minCellSize', 'scope.categories', 'validUntil']);
  });

  it('never throws, whatever it is given', () => {
    for (const odd of [null, undefined, 42, 'terms', [], {}]) expect(() => checkAgreementTerms(odd as never)).not.toThrow();
    // every required term is missing; the data period is optional
    expect(fields({})).toHaveLength(10);
    expect(fields({})).not.toContain('dataFrom');
    expect(fields(null)).toEqual(['']);
  });
});

describe('checkAgreementChanges', () => {
  it('accepts valid changes of any terms but the recipient', () => {
    expect(checkAgreementChanges({ minCellSize: 10 })).toEqual([]);
    expect(checkAgreementChanges({ validUntil: null, embargoDays: 0, dimensions: ['route'] })).toEqual([]);
    expect(checkAgreementChanges({ dataFrom: '2026-01-01', dataUntil: '2026-12-31' })).toEqual([]);
    expect(checkAgreementChanges({ dataUntil: null })).toEqual([]);
  });

  it('leaves a data period that is inconsistent only with the current terms to the check of the whole', () => {
    // as with validFrom/validUntil: the changes alone cannot tell; the merged terms can
    expect(checkAgreementChanges({ dataUntil: '2025-12-31' })).toEqual([]);
    expect(checkAgreementTerms({ ...terms, dataFrom: '2026-01-01', dataUntil: '2025-12-31' })).toEqual([
      { field: 'dataUntil', message: expect.stringMatching(/dataUntil 2025-12-31 is before dataFrom 2026-01-01/) },
    ]);
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['a new recipient', { recipient: 'state:TR' }, 'recipient', /cannot change/],
    ['no change', {}, 'changes', /at least one/],
    ['k = 0', { minCellSize: 0 }, 'minCellSize', /at least 1/],
    ['a null k', { minCellSize: null }, 'minCellSize', /whole number/],
    [
      'both include and exclude',
      { scope: { eventKinds: ['movements'], categories: { include: ['refugee'], exclude: ['other'] } } },
      'scope.categories',
      /not both/,
    ],
    ['validUntil before validFrom, both given', { validFrom: '2026-06-01', validUntil: '2026-01-01' }, 'validUntil', /before validFrom/],
    ['crossing points with country, both given', { dimensions: ['borderCrossingPoint'], minGeoGranularity: 'country' }, 'dimensions', /country/],
    ['a date that does not exist', { validUntil: '2026-04-31' }, 'validUntil', /calendar date/],
    ['dataUntil before dataFrom, both given', { dataFrom: '2026-06-01', dataUntil: '2026-01-01' }, 'dataUntil', /before dataFrom/],
    ['a dataFrom that does not exist', { dataFrom: '2026-04-31' }, 'dataFrom', /calendar date/],
  ])('refuses %s', (_, changes, field, message) => {
    expect(checkAgreementChanges(changes as never)).toEqual([{ field, message: expect.stringMatching(message) }]);
  });
});

describe('isCalendarDate', () => {
  it('knows real days from look-alikes', () => {
    expect(['2026-01-31', '2024-02-29', '0001-01-01'].every(isCalendarDate)).toBe(true);
    expect(['2026-1-31', '2026-04-31', '2023-02-29', '20260101', '2026-01-01 ', 20260101, null].some(isCalendarDate)).toBe(false);
  });
});

describe('parseAgreementEvent', () => {
  const agreementId = '01963c4e-0000-7000-8000-0000000000a1';
  const envelope = {
    eventId: '01963c4e-0000-7000-8000-000000000001',
    schemaVersion: 1,
    provider: 'IR',
    streamId: `agreement-${agreementId}`,
    occurredOn: '2026-03-02',
    recordedAt: '2026-03-02T10:00:00.000Z',
  };
  const granted = { ...envelope, type: 'AgreementGranted', streamVersion: 1, data: { agreementId, ...terms } };
  const amended = {
    ...envelope,
    eventId: '01963c4e-0000-7000-8000-000000000002',
    type: 'AgreementAmended',
    streamVersion: 2,
    data: { agreementId, changes: { minCellSize: 10, validUntil: null } },
  };
  const revoked = {
    ...envelope,
    eventId: '01963c4e-0000-7000-8000-000000000003',
    type: 'AgreementRevoked',
    streamVersion: 3,
    data: { agreementId, reason: 'bilateral arrangement ended' },
  };
  const parse = (value: unknown) => parseAgreementEvent(Buffer.from(JSON.stringify(value)));

  it.each([
    ['AgreementGranted', granted],
    ['AgreementAmended', amended],
    ['AgreementRevoked', revoked],
    ['AgreementGranted with no end and every category', { ...granted, data: { ...granted.data, validUntil: null, scope: { eventKinds: ['movements'] } } }],
    ['AgreementGranted for 2026 data only', { ...granted, data: { ...granted.data, dataFrom: '2026-01-01', dataUntil: '2026-12-31' } }],
    ['AgreementGranted with an unbounded data period given as nulls', { ...granted, data: { ...granted.data, dataFrom: null, dataUntil: null } }],
    ['AgreementAmended of the data period', { ...amended, data: { agreementId, changes: { dataFrom: '2025-01-01', dataUntil: null } } }],
  ])('accepts a valid %s as it is', (_, event) => {
    expect(parse(event)).toEqual({ ok: true, event });
    expect(parseAgreementEvent(JSON.stringify(event))).toEqual({ ok: true, event });
  });

  it('leaves an event of a version newer than it knows to wait, not to the quarantine', () => {
    expect(parse({ ...granted, schemaVersion: 9 })).toEqual({
      ok: false,
      reason: 'schemaVersion 9 of AgreementGranted is newer than this aggregator knows',
      awaits: { type: 'AgreementGranted', schemaVersion: 9, eventId: granted.eventId, provider: 'IR', streamId: granted.streamId },
    });
    expect(parse({ ...granted, schemaVersion: 9, provider: 'FR' })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^invalid AgreementGranted: provider/),
    });
  });

  const withData = (event: { data: object }, data: object) => ({ ...event, data: { ...event.data, ...data } });
  it.each<[string, unknown, RegExp]>([
    ['not JSON', '{oops', /^not JSON/],
    ['a JSON array', [], /^not a JSON object$/],
    ['a movement event', { ...granted, type: 'MovementRecorded' }, /unknown event type: "MovementRecorded"/],
    ['a prototype name as type', { ...granted, type: 'constructor' }, /unknown event type/],
    ['an unknown schema version', { ...granted, schemaVersion: 0 }, /unsupported schemaVersion 0 for AgreementGranted/],
    ['a version 2 grant without the emergency term', { ...granted, schemaVersion: 2 }, /schemaVersion 2 carries the emergency term/],
    ['a version 1 grant with the emergency term', withData(granted, { emergency: null }), /emergency should not exist/],
    ['a provider outside the nine', { ...granted, provider: 'FR' }, /provider/],
    [
      'a grant on another stream',
      { ...granted, streamId: 'agreement-01963c4e-0000-7000-8000-0000000000b2' },
      /streamId agreement-.*b2 should be agreement-.*a1/,
    ],
    ['a revocation on a movement stream', { ...revoked, streamId: `movement-${agreementId}` }, /should be agreement-/],
    ['a grant past version 1', { ...granted, streamVersion: 2 }, /a grant is version 1/],
    ['an amendment at version 1', { ...amended, streamVersion: 1 }, /a grant is version 1 of its stream, and only a grant/],
    ['a grant with k = 0', withData(granted, { minCellSize: 0 }), /data\.minCellSize: .*at least 1/],
    [
      'a grant with include and exclude',
      withData(granted, { scope: { eventKinds: ['movements'], categories: { include: ['refugee'], exclude: ['other'] } } }),
      /data\.scope\.categories: .*not both/,
    ],
    ['a grant with crossing points at country level', withData(granted, { dimensions: ['borderCrossingPoint'] }), /data\.dimensions: .*borderCrossingPoint/],
    ['a grant ending before it starts', withData(granted, { validUntil: '2025-12-31' }), /data\.validUntil: .*before validFrom/],
    [
      'a grant whose data period ends before it starts',
      withData(granted, { dataFrom: '2026-01-01', dataUntil: '2025-12-31' }),
      /data\.dataUntil: dataUntil 2025-12-31 is before dataFrom 2026-01-01/,
    ],
    ['a grant with a dataFrom that does not exist', withData(granted, { dataFrom: '2026-02-30' }), /data\.dataFrom: dataFrom must be a calendar date/],
    ['a grant with dataUntil as a number', withData(granted, { dataUntil: 20261231 }), /dataUntil/],
    [
      'an amendment whose data period ends before it starts',
      withData(amended, { changes: { dataFrom: '2027-01-01', dataUntil: '2026-12-31' } }),
      /data\.changes\.dataUntil: .*before dataFrom/,
    ],
    [
      'an amendment with a dataUntil that does not exist',
      withData(amended, { changes: { dataUntil: '2026-06-31' } }),
      /data\.changes\.dataUntil: .*calendar date/,
    ],
    ['a grant without purpose', { ...granted, data: { ...granted.data, purpose: undefined } }, /data\.purpose/],
    ['a grant with an extra term', withData(granted, { personalData: true }), /personalData should not exist/],
    ['a grant with an extra scope member', withData(granted, { scope: { eventKinds: ['movements'], regions: [] } }), /regions should not exist/],
    ['a grant with k as a string', withData(granted, { minCellSize: '5' }), /minCellSize/],
    ['a grant with a bad agreementId', withData(granted, { agreementId: 'abc' }), /agreementId/],
    ['a grant with a missing validUntil', { ...granted, data: { ...granted.data, validUntil: undefined } }, /validUntil/],
    ['an amendment of the recipient', withData(amended, { changes: { recipient: '*' } }), /data\.changes\.recipient: .*cannot change/],
    ['an amendment that changes nothing', withData(amended, { changes: {} }), /at least one/],
    ['an amendment with an unknown term', withData(amended, { changes: { minCellSize: 3, colour: 'red' } }), /colour should not exist/],
    ['an amendment with k = 0', withData(amended, { changes: { minCellSize: 0 } }), /data\.changes\.minCellSize/],
    ['an amendment with contradictory terms', withData(amended, { changes: { validFrom: '2027-01-01', validUntil: '2026-01-01' } }), /before validFrom/],
    ['an amendment without changes', { ...amended, data: { agreementId } }, /changes/],
    ['a revocation without reason', { ...revoked, data: { agreementId } }, /reason/],
    ['a revocation with a blank reason', withData(revoked, { reason: ' ' }), /data\.reason must say why/],
    ['a null signature', { ...revoked, signature: null }, /signature/],
  ])('refuses %s with the reason', (_, value, reason) => {
    const r = typeof value === 'string' ? parseAgreementEvent(value) : parse(value);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(reason);
  });

  it('refuses a null message', () => {
    expect(parseAgreementEvent(null)).toEqual({ ok: false, reason: 'empty message (null value)' });
  });
});

describe('docs/agreements.md', () => {
  const doc = readFileSync(join(__dirname, '../../../docs/agreements.md'), 'utf8');

  it('shows an example grant that is valid', () => {
    const body = /agreements -H 'content-type: application\/json' -d '(\{[\s\S]*?\})'/.exec(doc)?.[1];
    expect(body).toBeDefined();
    expect(checkAgreementTerms(JSON.parse(body!))).toEqual([]);
    expect(JSON.parse(body!)).toMatchObject({ dataFrom: '2026-01-01', dataUntil: '2026-12-31' });
  });

  it('shows a data period ("a grant for 2026 data only") that is valid', () => {
    const line = doc.split('\n').find((l) => l.startsWith('{ "validFrom"') && l.includes('dataFrom'));
    expect(line).toBeDefined();
    expect(checkAgreementChanges(JSON.parse(line!))).toEqual([]);
    expect(JSON.parse(line!)).toMatchObject({ dataFrom: '2026-01-01', dataUntil: '2026-12-31' });
  });

  it('shows a published event that parses', () => {
    const line = doc.split('\n').find((l) => l.startsWith('{"eventId"'));
    expect(line).toBeDefined();
    expect(parseAgreementEvent(line!)).toMatchObject({
      ok: true,
      event: { type: 'AgreementGranted', data: { minCellSize: 5, dataFrom: '2026-01-01', dataUntil: '2026-12-31' } },
    });
  });
});
