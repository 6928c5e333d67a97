/**
 * An alert as published: on GET /v1/alerts, on alerts.v1 and in the recipients' feeds (each cut
 * to what the reader may see), and as the feeds and emergencies read it (the kernel's Alerts port).
 */

/** What a series counts: one route, one border crossing point, or one category on one route;
 * always one provider's data (a route names its provider). */
export const ALERT_SCOPES = ['route', 'borderCrossingPoint', 'routeCategory'] as const;
export type AlertScope = (typeof ALERT_SCOPES)[number];

export const SEVERITIES = ['elevated', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface AlertRecord {
  alertId: string;
  provider: string;
  scope: AlertScope;
  route: string | null;
  borderCrossingPoint: string | null;
  category: string | null;
  severity: Severity;
  status: 'active' | 'subsided';
  /** The recent week (inclusive days) and the four weeks before it. */
  window: { from: string; to: string };
  baseline: { from: string; to: string };
  /** Exact for the provider itself and a k = 1 grant; published with cell-key noise otherwise. */
  recent: number;
  expectedWeekly: number;
  ratio: number;
  score: number;
  detectedAt: string;
  updatedAt: string;
  subsidedAt: string | null;
}

/** What the aggregator keeps beside an alert's exact figures to publish them (never served). */
export interface AlertProtection {
  /** The recent week's cell key: its records' keys summed mod 2^32. */
  recentKey: number;
  /** The four baseline week counts and their cell keys, oldest first. */
  baselineWeeks: number[];
  baselineKeys: number[];
}

/** An alert as stored: exact figures, and their keys (null for an alert stored before keys were). */
export interface StoredAlert extends AlertRecord {
  protection: AlertProtection | null;
}
