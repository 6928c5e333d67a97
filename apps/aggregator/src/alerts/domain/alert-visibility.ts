import { TIME_GRANULARITIES } from '@caravanserai/contracts';
import { perturb } from '../../disclosure/domain/cell-key';
import { applicableCut, Grant, Principal } from '../../disclosure/domain/policy';
import type { AlertProtection, AlertRecord, AlertScope, StoredAlert } from '../../answers/alert';
import { compareWeeks, round } from './surge-detector';

export type { AlertProtection, AlertRecord, StoredAlert };

/**
 * An alert's figures as a recipient whose k for the provider is `k` sees them: the recent week and
 * each baseline week perturbed with its own key (cell-key method, docs/privacy.md), and the usual
 * week, ratio and score computed from those published values with the detector's own formulas, so
 * nothing exact can be worked back from them. The same records always give the same figures, so
 * asking again gains nothing; two days' windows differ by the days that entered and left plus
 * independent noise. null: the published recent week is 0 (shown to nobody but the provider).
 */
export function publishedFigures(alert: StoredAlert, k: number): Pick<AlertRecord, 'recent' | 'expectedWeekly' | 'ratio' | 'score'> | null {
  const { recent: exactRecent, expectedWeekly, ratio, score } = alert;
  if (k <= 1) return exactRecent > 0 ? { recent: exactRecent, expectedWeekly, ratio, score } : null;
  const p = alert.protection;
  if (!p) return null;
  const recent = perturb(exactRecent, p.recentKey, k);
  if (recent < k) return null;
  const weeks = p.baselineWeeks.map((w, i) => perturb(w, p.baselineKeys[i], k));
  const c = compareWeeks(recent, weeks);
  return { recent, expectedWeekly: c.expectedWeekly, ratio: round(c.ratio), score: round(c.score) };
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
 * - hidden while its window reaches into the grant's embargo;
 * - figures: the provider itself sees them exact, so does a k = 1 grant; every other caller sees
 *   them published with noise (`publishedFigures`), and not at all when the published recent week
 *   is 0. No threshold on an exact count decides what is shown (that would itself tell something
 *   exact); the severity and status are the detector's, decided on exact data.
 * The keys are never part of what is returned, not even to the provider.
 */
export function visibleAlert(stored: StoredAlert, grants: Grant[], principal: Principal, today: string): AlertRecord | null {
  const { protection: _keys, ...alert } = stored;
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
  const figures = publishedFigures(stored, cut.minCellSize);
  return figures && { ...alert, ...figures };
}
