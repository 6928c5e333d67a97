import { TIME_GRANULARITIES } from '@caravanserai/contracts';
import { applicableCut, Grant, Principal } from '../../disclosure/domain/policy';
import type { AlertScope } from './alert-decisions';
import type { Severity } from './surge-detector';

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
  recent: number;
  /** null when the baseline week is below the caller's k (then the ratio is withheld too). */
  expectedWeekly: number | null;
  ratio: number | null;
  score: number | null;
  detectedAt: string;
  updatedAt: string;
  subsidedAt: string | null;
}

/** Which dimensions of a provider's data an alert of each scope reveals. */
const SCOPE_DIMENSIONS: Record<AlertScope, string[]> = {
  route: ['route'],
  borderCrossingPoint: ['borderCrossingPoint'],
  routeCategory: ['route', 'category'],
};

/**
 * The alert as `principal` may see it, or null (not shown, not even counted). An alert is
 * computed from one provider's movements, so the grant that governs that provider's movements
 * for the caller decides, as for a flow query grouped by the alert's dimensions over one week:
 * - no grant: hidden (default deny); a state always sees alerts on its own data;
 * - the grant must allow the alert's dimensions (and crossing points for a crossing-point alert);
 * - weekly figures: hidden when the grant's finest time granularity is coarser than a week;
 * - an alert over all categories is hidden when the grant leaves some category out (its figures
 *   include records the caller may not see); a category alert, when its category is left out;
 * - the recent week is one cell: hidden below the grant's k; a baseline week below k is withheld
 *   (with the ratio and score, from which it could be recomputed);
 * - hidden while its window reaches into the grant's embargo.
 */
export function visibleAlert(alert: AlertRecord, grants: Grant[], principal: Principal, today: string): AlertRecord | null {
  const cut = applicableCut(alert.provider, grants, principal, 'movements', today);
  if (!cut) return null;
  if (cut.basis === 'own-data') return alert;
  const dims = SCOPE_DIMENSIONS[alert.scope];
  if (cut.dimensions !== 'all' && dims.some((d) => !(cut.dimensions as Set<string>).has(d))) return null;
  if (alert.scope === 'borderCrossingPoint' && !cut.allowBorderCrossingPoints) return null;
  if (TIME_GRANULARITIES.indexOf(cut.minTimeGranularity) > TIME_GRANULARITIES.indexOf('week')) return null;
  const categories = cut.categories;
  if (categories && (categories.include || categories.exclude?.length)) {
    if (alert.category === null) return null;
    if (categories.include && !categories.include.includes(alert.category)) return null;
    if (categories.exclude?.includes(alert.category)) return null;
  }
  if (cut.lastDay !== null && alert.window.to > cut.lastDay) return null;
  if (alert.recent < cut.minCellSize) return null;
  if (alert.expectedWeekly !== null && alert.expectedWeekly < cut.minCellSize) return { ...alert, expectedWeekly: null, ratio: null, score: null };
  return alert;
}
