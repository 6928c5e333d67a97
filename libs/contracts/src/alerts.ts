import type { EventEnvelope } from './events';

/** Published on `alerts.v1` by the aggregator (docs/events.md). `provider` is the state whose
 * movements the alert was computed from; the envelope carries no signature (the aggregator is
 * not a state). */
export const SURGE_DETECTED = 'SurgeDetected';
export const SURGE_SUBSIDED = 'SurgeSubsided';
/** Every type published on alerts.v1. */
export const ALERT_EVENT_TYPES = [SURGE_DETECTED, SURGE_SUBSIDED] as const;

export interface SurgeFigures {
  alertId: string;
  scope: 'route' | 'borderCrossingPoint' | 'routeCategory';
  route: string | null;
  borderCrossingPoint: string | null;
  category: string | null;
  /** The recent week and the four weeks before it (inclusive days). */
  window: { from: string; to: string };
  baseline: { from: string; to: string };
  /** Movements in the recent week. */
  recent: number;
  /** Movements in a usual baseline week (mean of the baseline weeks within ½–2× their median). */
  expectedWeekly: number;
  ratio: number;
  score: number;
  method: 'weekly-robust-v1';
}

export interface SurgeDetectedData extends SurgeFigures {
  severity: 'elevated' | 'high' | 'critical';
  /** Set when an active alert changed severity; null for a new alert. */
  previousSeverity: 'elevated' | 'high' | 'critical' | null;
}

export interface SurgeSubsidedData extends SurgeFigures {
  /** The severity the alert had when it subsided. */
  severity: 'elevated' | 'high' | 'critical';
}

export type SurgeDetected = EventEnvelope<typeof SURGE_DETECTED, SurgeDetectedData> & { schemaVersion: 1 };
export type SurgeSubsided = EventEnvelope<typeof SURGE_SUBSIDED, SurgeSubsidedData> & { schemaVersion: 1 };
export type AlertEvent = SurgeDetected | SurgeSubsided;

/** An alert's stream: its detection, severity changes and subsidence, in order. */
export const alertStreamId = (alertId: string): string => `alert-${alertId}`;

/** An alert event's envelope as the aggregator publishes it: keyed by its stream, `occurredOn` the
 * last day of the recent week, no `keyId` or `signature`. */
export function surgeEnvelope<E extends AlertEvent>(
  type: E['type'],
  { eventId, provider, streamVersion, recordedAt, data }: { eventId: string; provider: string; streamVersion: number; recordedAt: Date; data: E['data'] },
): E {
  return {
    eventId,
    type,
    schemaVersion: 1,
    provider,
    streamId: alertStreamId(data.alertId),
    streamVersion,
    occurredOn: data.window.to,
    recordedAt: recordedAt.toISOString(),
    data,
  } as E;
}
