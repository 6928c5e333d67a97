import type { Grant } from '../../disclosure/domain/policy';
import { agreementKind, alertKind, feedWindow, flowQueryFor, referralQueryFor, sseEvent } from './feed-items';

const grant = (over: Partial<Grant> = {}): Grant =>
  ({
    agreementId: 'a1',
    provider: 'IR',
    recipient: 'org:UNHCR',
    status: 'active',
    version: 1,
    grantedAt: '2026-01-01T00:00:00.000Z',
    scope: { eventKinds: ['movements', 'referrals'] },
    dimensions: ['route', 'provider', 'category', 'borderCrossingPoint', 'referredTo', 'specificNeeds'],
    minTimeGranularity: 'week',
    minGeoGranularity: 'country',
    minCellSize: 5,
    embargoDays: 0,
    validFrom: '2020-01-01',
    validUntil: null,
    dataFrom: null,
    dataUntil: null,
    purpose: 'test',
    ...over,
  }) as Grant;

describe('feed items', () => {
  it('takes a year of days ending on the release, never before the grant’s data period', () => {
    expect(feedWindow('2026-03-31', null)).toEqual({ from: '2025-04-01', to: '2026-03-31' });
    expect(feedWindow('2026-03-31', '2026-02-15')).toEqual({ from: '2026-02-15', to: '2026-03-31' });
    expect(feedWindow('2026-03-31', '2020-01-01')).toEqual({ from: '2025-04-01', to: '2026-03-31' });
    expect(feedWindow('2026-03-31', '2026-04-01')).toBeNull();
  });

  it('asks for one provider at the grant’s granularity, by every flow dimension it allows', () => {
    expect(flowQueryFor(grant(), 'IR', '2026-03-31')).toEqual({
      from: '2025-04-01',
      to: '2026-03-31',
      granularity: 'week',
      groupBy: ['route', 'category'],
      providers: ['IR'],
    });
    // Crossing points only when the grant goes down to them.
    expect(flowQueryFor(grant({ minGeoGranularity: 'border_crossing_point' }), 'IR', '2026-03-31')?.groupBy).toEqual([
      'route',
      'borderCrossingPoint',
      'category',
    ]);
    expect(referralQueryFor(grant(), 'IR', '2026-03-31')).toMatchObject({
      granularity: 'week',
      groupBy: ['category', 'referredTo', 'needs'],
      providers: ['IR'],
      stalledAfterHours: 72,
    });
  });

  it('names each change', () => {
    expect(alertKind('active', 1)).toBe('alert.raised');
    expect(alertKind('active', 3)).toBe('alert.escalated');
    expect(alertKind('subsided', 2)).toBe('alert.subsided');
    expect(agreementKind('AgreementAmended')).toBe('agreement.amended');
    expect(agreementKind('Other')).toBeNull();
  });

  it('frames an item as one Server-Sent Event', () => {
    const item = {
      id: 'x',
      kind: 'alert.raised' as const,
      recipient: 'secretariat',
      occurredAt: 't',
      data: { a: 'line\nbreak' },
      signature: { alg: 'Ed25519' as const, keyId: 'k', value: 'v' },
    };
    const frame = sseEvent({ cursor: '7', item });
    expect(frame).toBe(`id: 7\nevent: alert.raised\ndata: ${JSON.stringify(item)}\n\n`);
    expect(frame.split('\n')).toHaveLength(5);
  });
});
