import type { ConsumerLag } from './consumer-lag';

/**
 * What `GET /v1/nodes` shows each caller (pure). Whether and how much a state has sent is itself
 * information about its data, so volumes follow the agreements like every other figure (issue 13):
 * - the aggregator's admin sees every provider in full (it runs the pipeline);
 * - a state sees its own provider in full, no other;
 * - the secretariat sees, of each provider that has an agreement in force today naming it (or
 *   anyone, `*`), only coarse health that carries no volume: whether its data are pooled, the hour
 *   of its last event, and whether that hour is within the last 24; providers that granted it
 *   nothing are not listed at all.
 * Consumer lag: per partition for the admin, summed per topic for readers.
 */

/** A provider's row of `provider_status`, with its pooling. */
export interface ProviderStatus {
  provider: string;
  events: number;
  lastEventId: string;
  lastRecordedAt: Date;
  lastReceivedAt: Date;
  pooledAt: Date | null;
}

/** The part of an agreement that says to whom it is in force (structural: any grant will do). */
export interface GrantInForce {
  provider: string;
  recipient: string;
  status: string;
  validFrom: string;
  validUntil: string | null;
}

export interface FullNodeStatus {
  provider: string;
  eventsReceived: number;
  /** Until its first agreement, a provider's events are held in the log, not projected. */
  pooledSince: Date | null;
  lastEventId: string;
  lastEventRecordedAt: Date;
  lastEventReceivedAt: Date;
  /** Time from the node recording its latest event to the aggregator projecting it. */
  lastEventDelayMs: number;
}

export interface CoarseNodeStatus {
  provider: string;
  pooled: boolean;
  /** The hour (UTC) the last event arrived in, not the instant. */
  lastEventReceivedAt: string;
  /** That hour is within the last 24 (judged on the hour too, so it says nothing finer). */
  healthy: boolean;
}

export interface TopicLag {
  topics: string[];
  total: number | null;
  byTopic: { topic: string; lag: number }[];
  brokerReachable: boolean;
}

const HOUR = 3_600_000;
export const HEALTHY_WITHIN_HOURS = 24;

/** Providers that have an active agreement in force on `today` naming `recipient` or anyone. */
export function providersGranting(grants: readonly GrantInForce[], recipient: string, today: string): Set<string> {
  return new Set(
    grants
      .filter((g) => g.status === 'active' && g.validFrom <= today && (g.validUntil === null || today <= g.validUntil))
      .filter((g) => g.recipient === recipient || g.recipient === '*')
      .map((g) => g.provider),
  );
}

export function fullStatus(s: ProviderStatus): FullNodeStatus {
  return {
    provider: s.provider,
    eventsReceived: s.events,
    pooledSince: s.pooledAt,
    lastEventId: s.lastEventId,
    lastEventRecordedAt: s.lastRecordedAt,
    lastEventReceivedAt: s.lastReceivedAt,
    lastEventDelayMs: s.lastReceivedAt.getTime() - s.lastRecordedAt.getTime(),
  };
}

export function coarseStatus(s: ProviderStatus, now: Date): CoarseNodeStatus {
  const hour = Math.floor(s.lastReceivedAt.getTime() / HOUR) * HOUR;
  const currentHour = Math.floor(now.getTime() / HOUR) * HOUR;
  return {
    provider: s.provider,
    pooled: s.pooledAt !== null,
    lastEventReceivedAt: new Date(hour).toISOString(),
    healthy: hour >= currentHour - HEALTHY_WITHIN_HOURS * HOUR,
  };
}

/** The lag summed per topic: how far the regional picture is behind, without the partition layout. */
export function lagPerTopic(lag: ConsumerLag): TopicLag {
  const byTopic = lag.topics.map((topic) => ({ topic, lag: lag.partitions.filter((p) => p.topic === topic).reduce((sum, p) => sum + p.lag, 0) }));
  return { topics: lag.topics, total: lag.total, byTopic: lag.brokerReachable ? byTopic : [], brokerReachable: lag.brokerReachable };
}
