import { ALERT_SCOPES, type AlertScope } from '../../answers/alert';
import type { Assessment, Severity, WindowKeys } from './surge-detector';

export { ALERT_SCOPES };
export type { AlertScope };

export interface SeriesId {
  provider: string;
  scope: AlertScope;
  route: string | null;
  borderCrossingPoint: string | null;
  category: string | null;
}

export const seriesKey = (s: SeriesId): string => [s.scope, s.provider, s.route ?? '', s.borderCrossingPoint ?? '', s.category ?? ''].join('|');

export interface ActiveAlert extends SeriesId {
  alertId: string;
  severity: Severity;
  /** Events published for this alert so far (its stream version). */
  version: number;
}

export interface Assessed {
  series: SeriesId;
  assessment: Assessment;
  /** The windows' cell keys, stored with the alert so its figures can be published with noise. */
  keys: WindowKeys;
}

export type AlertChange =
  /** A new alert, or an active one whose severity changed (`alert` set): SurgeDetected. */
  | { kind: 'detected'; series: SeriesId; assessment: Assessment; keys: WindowKeys; alert: ActiveAlert | null }
  /** An active alert whose series no longer sustains it: SurgeSubsided. */
  | { kind: 'subsided'; alert: ActiveAlert; assessment: Assessment; keys: WindowKeys }
  /** Still active at the same severity: figures refreshed, no event. */
  | { kind: 'refreshed'; alert: ActiveAlert; assessment: Assessment; keys: WindowKeys };

const quiet: Assessment = { recent: 0, baselineWeeks: [0, 0, 0, 0], expectedWeekly: 0, ratio: 0, score: 0, severity: null, sustained: false };
const noKeys: WindowKeys = { recent: 0, baseline: [0, 0, 0, 0] };

/**
 * Compares this run's assessments with the active alerts. A series without an active alert raises
 * one when it reaches a severity; an active alert changes severity when the series reaches
 * another one, stays while the series sustains it, and subsides otherwise (also when the series
 * had no movement at all in the window, so it is not in `assessed`).
 */
export function decideAlerts(active: ActiveAlert[], assessed: Assessed[]): AlertChange[] {
  const byKey = new Map(active.map((a) => [seriesKey(a), a]));
  const seen = new Set<string>();
  const changes: AlertChange[] = [];
  for (const { series, assessment, keys } of assessed) {
    const key = seriesKey(series);
    seen.add(key);
    const alert = byKey.get(key) ?? null;
    if (!alert) {
      if (assessment.severity) changes.push({ kind: 'detected', series, assessment, keys, alert: null });
    } else if (assessment.severity && assessment.severity !== alert.severity) {
      changes.push({ kind: 'detected', series, assessment, keys, alert });
    } else if (assessment.severity || assessment.sustained) {
      changes.push({ kind: 'refreshed', alert, assessment, keys });
    } else {
      changes.push({ kind: 'subsided', alert, assessment, keys });
    }
  }
  for (const alert of active) if (!seen.has(seriesKey(alert))) changes.push({ kind: 'subsided', alert, assessment: quiet, keys: noKeys });
  return changes;
}
