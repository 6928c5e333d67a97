import type { AlertRecord, StoredAlert } from '../../answers/alert';
import type { Grant, Principal } from '../../disclosure/domain/policy';

/** The alerts as the other contexts read them (the feeds' alert items, emergencies' automatic
 * activations). Provided by the alerts context (PgAlerts, AlertsModule). */
export abstract class Alerts {
  /** The alerts as stored: the active ones, or all (optionally those changed since an instant). */
  abstract list(filter: { status: 'active' | 'all'; since?: string }): Promise<StoredAlert[]>;
  /** `stored` as `principal` sees it on GET /v1/alerts (its grants, figures protected), or null when it may not. */
  abstract visible(stored: StoredAlert, grants: Grant[], principal: Principal, today: string): AlertRecord | null;
}
