import type { Pool } from 'pg';
import { addDays } from '../../disclosure/domain/policy';
import { BASELINE_DAYS } from '../domain/surge-detector';
import type { AlertRecord } from '../domain/alert-visibility';

/** Alerts, newest change first: the active ones, or every one changed since `since`. */
export async function listAlerts(pool: Pool, filter: { status: 'active' | 'all'; since?: string }): Promise<AlertRecord[]> {
  const { rows } = await pool.query(
    `SELECT alert_id, provider, scope, route, border_crossing_point, category, severity, status,
            to_char(window_from, 'YYYY-MM-DD') AS window_from, to_char(window_to, 'YYYY-MM-DD') AS window_to,
            recent, expected_weekly, ratio, score, detected_at, updated_at, subsided_at
       FROM alerts
      WHERE ($1 = 'all' OR status = 'active') AND ($2::date IS NULL OR updated_at >= $2::date)
      ORDER BY status, updated_at DESC, alert_id`,
    [filter.status, filter.since ?? null],
  );
  return rows.map((r) => ({
    alertId: r.alert_id,
    provider: r.provider,
    scope: r.scope,
    route: r.route,
    borderCrossingPoint: r.border_crossing_point,
    category: r.category,
    severity: r.severity,
    status: r.status,
    window: { from: r.window_from, to: r.window_to },
    baseline: { from: addDays(r.window_from, -BASELINE_DAYS), to: addDays(r.window_from, -1) },
    recent: Number(r.recent),
    expectedWeekly: Number(r.expected_weekly),
    ratio: Number(r.ratio),
    score: Number(r.score),
    detectedAt: new Date(r.detected_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
    subsidedAt: r.subsided_at ? new Date(r.subsided_at).toISOString() : null,
  }));
}
