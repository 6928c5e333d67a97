import { AlertEvent, SURGE_DETECTED, SURGE_SUBSIDED, SurgeDetectedData, SurgeFigures, SurgeSubsidedData, surgeEnvelope } from '@caravanserai/contracts';
import type { Pool, PoolClient } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { addDays } from '../../disclosure/domain/policy';
import { AlertChange, decideAlerts, SeriesId, seriesKey } from '../domain/alert-decisions';
import { Assessment, BASELINE_DAYS, SERIES_DAYS, SurgeThresholds } from '../domain/surge-detector';
import { activeAlerts, assessSeries, referenceDay } from './pg-alert-series';

export interface SurgeRunResult {
  /** false when another instance held the run lock: nothing was done. */
  ran: boolean;
  asOf: string | null;
  series: number;
  detected: number;
  subsided: number;
}

/** Arbitrary, fixed: one surge run at a time across every aggregator instance. */
const RUN_LOCK = 0x5ca1e7;

/**
 * One detection run in one transaction: assess every series, compare with the active alerts,
 * write the alert changes and their SurgeDetected / SurgeSubsided envelopes to the alert outbox.
 * Either all of it commits or none; the publisher sends the outbox afterwards.
 */
export async function runSurgeDetection(pool: Pool, thresholds: SurgeThresholds, now: Date = new Date()): Promise<SurgeRunResult> {
  const client = await pool.connect();
  const onError = () => undefined;
  client.on('error', onError);
  let broken = false;
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [RUN_LOCK]);
    if (!rows[0].ok) {
      await client.query('ROLLBACK');
      return { ran: false, asOf: null, series: 0, detected: 0, subsided: 0 };
    }
    const asOf = await referenceDay(client, now.toISOString().slice(0, 10));
    const from = addDays(asOf, -(SERIES_DAYS - 1));
    const assessed = await assessSeries(client, from, asOf, thresholds);
    const changes = decideAlerts(await activeAlerts(client), assessed);
    const windows = { window: { from: addDays(from, BASELINE_DAYS), to: asOf }, baseline: { from, to: addDays(from, BASELINE_DAYS - 1) } };
    for (const change of changes) await apply(client, change, windows, now);
    await client.query('COMMIT');
    return {
      ran: true,
      asOf,
      series: assessed.length,
      detected: changes.filter((c) => c.kind === 'detected').length,
      subsided: changes.filter((c) => c.kind === 'subsided').length,
    };
  } catch (e) {
    broken = true;
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.off('error', onError);
    client.release(broken ? true : undefined);
  }
}

type Windows = Pick<SurgeFigures, 'window' | 'baseline'>;

/** The keys' columns in an UPDATE, from parameter $n on (recent_key, baseline_weeks, baseline_keys). */
const setKeys = (n: number) => `recent_key = $${n}, baseline_weeks = $${n + 1}, baseline_keys = $${n + 2}`;

async function apply(client: PoolClient, change: AlertChange, w: Windows, now: Date): Promise<void> {
  const a = change.assessment;
  const figures = [w.window.from, w.window.to, a.recent, a.expectedWeekly, a.ratio, a.score];
  // The windows' keys and baseline weeks go with every change of the figures, so that what a
  // recipient sees is always published from the figures stored (alert-visibility.ts).
  const keys = [change.keys.recent, a.baselineWeeks, change.keys.baseline];
  if (change.kind === 'refreshed') {
    await client.query(
      `UPDATE alerts SET window_from = $2, window_to = $3, recent = $4, expected_weekly = $5, ratio = $6, score = $7, updated_at = $8,
              ${setKeys(9)}
        WHERE alert_id = $1`,
      [change.alert.alertId, ...figures, now, ...keys],
    );
    return;
  }
  if (change.kind === 'subsided') {
    const version = change.alert.version + 1;
    await client.query(
      `UPDATE alerts SET status = 'subsided', window_from = $2, window_to = $3, recent = $4, expected_weekly = $5, ratio = $6,
              score = $7, updated_at = $8, subsided_at = $8, version = $9, ${setKeys(10)}
        WHERE alert_id = $1`,
      [change.alert.alertId, ...figures, now, version, ...keys],
    );
    await enqueue(client, change.alert, SURGE_SUBSIDED, version, { ...data(change.alert, change.alert.alertId, a, w), severity: change.alert.severity }, now);
    return;
  }
  const severity = a.severity!;
  if (change.alert) {
    const version = change.alert.version + 1;
    await client.query(
      `UPDATE alerts SET severity = $9, window_from = $2, window_to = $3, recent = $4, expected_weekly = $5, ratio = $6, score = $7,
              updated_at = $8, version = $10, ${setKeys(11)}
        WHERE alert_id = $1`,
      [change.alert.alertId, ...figures, now, severity, version, ...keys],
    );
    const payload = { ...data(change.series, change.alert.alertId, a, w), severity, previousSeverity: change.alert.severity };
    await enqueue(client, change.series, SURGE_DETECTED, version, payload, now);
    return;
  }
  const alertId = uuidv7();
  const s = change.series;
  await client.query(
    `INSERT INTO alerts (alert_id, series_key, provider, scope, route, border_crossing_point, category, severity, status,
                         window_from, window_to, recent, expected_weekly, ratio, score, version, detected_at, updated_at,
                         recent_key, baseline_weeks, baseline_keys)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', $9, $10, $11, $12, $13, $14, 1, $15, $15, $16, $17, $18)`,
    [alertId, seriesKey(s), s.provider, s.scope, s.route, s.borderCrossingPoint, s.category, severity, ...figures, now, ...keys],
  );
  await enqueue(client, s, SURGE_DETECTED, 1, { ...data(s, alertId, a, w), severity, previousSeverity: null }, now);
}

function data(s: SeriesId, alertId: string, a: Assessment, w: Windows): SurgeFigures {
  return {
    alertId,
    scope: s.scope,
    route: s.route,
    borderCrossingPoint: s.borderCrossingPoint,
    category: s.category,
    ...w,
    recent: a.recent,
    expectedWeekly: a.expectedWeekly,
    ratio: a.ratio,
    score: a.score,
    method: 'weekly-robust-v1',
  };
}

async function enqueue(
  client: PoolClient,
  s: SeriesId,
  type: AlertEvent['type'],
  version: number,
  payload: SurgeDetectedData | SurgeSubsidedData,
  now: Date,
): Promise<void> {
  const envelope = surgeEnvelope(type, { eventId: uuidv7(), provider: s.provider, streamVersion: version, recordedAt: now, data: payload });
  await client.query('INSERT INTO alert_outbox (message_key, envelope) VALUES ($1, $2)', [envelope.streamId, JSON.stringify(envelope)]);
}
