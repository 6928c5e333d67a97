import type { ConsumerLag } from './consumer-lag';
import { coarseStatus, lagPerTopic, providersGranting, type GrantInForce } from './node-health';

describe('node health per caller', () => {
  const grant = (provider: string, recipient: string, over: Partial<GrantInForce> = {}): GrantInForce => ({
    provider,
    recipient,
    status: 'active',
    validFrom: '2026-01-01',
    validUntil: null,
    ...over,
  });

  it('lists for a recipient only the providers with an active agreement in force today naming it or anyone', () => {
    const grants = [
      grant('IR', 'secretariat'),
      grant('AF', '*'),
      grant('PK', 'org:UNHCR'),
      grant('TM', 'secretariat', { validUntil: '2026-05-31' }),
      grant('KG', 'secretariat', { validFrom: '2026-07-01' }),
      grant('KZ', 'secretariat', { status: 'revoked' }),
    ];
    expect([...providersGranting(grants, 'secretariat', '2026-06-15')].sort()).toEqual(['AF', 'IR']);
    expect([...providersGranting(grants, 'secretariat', '2026-05-31')].sort()).toEqual(['AF', 'IR', 'TM']);
  });

  it('gives the hour of the last event, not the instant, and judges health on that hour', () => {
    const status = (receivedAt: string) => ({
      provider: 'IR',
      events: 41,
      lastEventId: 'x',
      lastRecordedAt: new Date(receivedAt),
      lastReceivedAt: new Date(receivedAt),
      pooledAt: null,
    });
    const now = new Date('2026-06-15T10:59:00Z');
    expect(coarseStatus(status('2026-06-15T10:17:42.123Z'), now)).toEqual({
      provider: 'IR',
      pooled: false,
      lastEventReceivedAt: '2026-06-15T10:00:00.000Z',
      healthy: true,
    });
    // 24 hours before the current hour still counts; the hour before that does not, whatever the minute.
    expect(coarseStatus(status('2026-06-14T10:01:00Z'), now).healthy).toBe(true);
    expect(coarseStatus(status('2026-06-14T09:59:59Z'), now).healthy).toBe(false);
    expect(coarseStatus(status('2026-06-14T10:01:00Z'), new Date('2026-06-15T10:00:01Z')).healthy).toBe(true);
  });

  it('sums the lag per topic and drops the partitions', () => {
    const lag: ConsumerLag = {
      topics: ['m', 'a'],
      total: 7,
      brokerReachable: true,
      partitions: [
        { topic: 'm', partition: 0, highWatermark: 10, projectedUpTo: 5, lag: 5 },
        { topic: 'm', partition: 1, highWatermark: 3, projectedUpTo: 1, lag: 2 },
        { topic: 'a', partition: 0, highWatermark: 4, projectedUpTo: 4, lag: 0 },
      ],
    };
    expect(lagPerTopic(lag)).toEqual({
      topics: ['m', 'a'],
      total: 7,
      byTopic: [
        { topic: 'm', lag: 7 },
        { topic: 'a', lag: 0 },
      ],
      brokerReachable: true,
    });
    expect(lagPerTopic({ topics: ['m'], total: null, partitions: [], brokerReachable: false, error: 'broker down at 10.0.0.3' })).toEqual({
      topics: ['m'],
      total: null,
      byTopic: [],
      brokerReachable: false,
    });
  });
});
