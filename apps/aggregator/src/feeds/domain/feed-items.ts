import { FLOW_DIMENSIONS, FlowQuery } from '../../answers/flow-answer';
import type { Grant } from '../../disclosure/domain/policy';
import { GRANT_DIMENSION, REFERRAL_DIMENSIONS, ReferralSummaryQuery } from '../../answers/referral-summary';
import { feedWindow, WINDOW_DAYS, type FeedItemKind, type StoredFeedItem } from '../../answers/feed-item';

export { feedWindow, WINDOW_DAYS };

/**
 * Item ids: the same event always gives the same id, so that a writer running again after a crash
 * (or a second instance) adds nothing, and a recipient can deduplicate on the id across channels.
 */
export const releaseItemId = (releaseId: number, what: 'flows' | 'referrals', provider: string) => `release/${releaseId}/${what}/${provider}`;
export const alertItemId = (alertId: string, version: number) => `alert/${alertId}/${version}`;
export const agreementItemId = (agreementId: string, version: number | 'expired') => `agreement/${agreementId}/${version}`;

/** What the writers mark as done (table feed_marks), in the same transaction as the items. */
export const releaseMark = (releaseId: number) => `release/${releaseId}`;

/** An alert's change by its state now: version 1 is the alert raised; a later version of an
 * active alert is a change of severity (`escalated`, usually up, the data says to what). */
export function alertKind(status: 'active' | 'subsided', version: number): FeedItemKind {
  if (status === 'subsided') return 'alert.subsided';
  return version <= 1 ? 'alert.raised' : 'alert.escalated';
}

const AGREEMENT_KINDS: Record<string, FeedItemKind> = {
  AgreementGranted: 'agreement.granted',
  AgreementAmended: 'agreement.amended',
  AgreementRevoked: 'agreement.revoked',
};

/** The item kind of an agreement event; null for a type the feed does not report. */
export const agreementKind = (eventType: string): FeedItemKind | null => AGREEMENT_KINDS[eventType] ?? null;

/** The flow query of a release item: one provider, at the grant's finest time granularity,
 * grouped by every flow dimension the grant allows (the provider is the item's; crossing points
 * only when the grant goes down to them). */
export function flowQueryFor(grant: Grant, provider: string, dataUntil: string): FlowQuery | null {
  const window = feedWindow(dataUntil, grant.dataFrom ?? null);
  if (!window) return null;
  const allowed = new Set<string>(grant.dimensions);
  const groupBy = FLOW_DIMENSIONS.filter(
    (d) => d !== 'provider' && allowed.has(d) && (d !== 'borderCrossingPoint' || grant.minGeoGranularity === 'border_crossing_point'),
  );
  return { ...window, granularity: grant.minTimeGranularity, groupBy, providers: [provider] };
}

/** Stalled after this many hours in a release item: the REST default. */
export const FEED_STALLED_AFTER_HOURS = 72;

/** The referral summary query of a release item, the same way. */
export function referralQueryFor(grant: Grant, provider: string, dataUntil: string): ReferralSummaryQuery | null {
  const window = feedWindow(dataUntil, grant.dataFrom ?? null);
  if (!window) return null;
  const allowed = new Set<string>(grant.dimensions);
  const groupBy = REFERRAL_DIMENSIONS.filter((d) => d !== 'provider' && allowed.has(GRANT_DIMENSION[d]));
  return { ...window, granularity: grant.minTimeGranularity, groupBy, providers: [provider], stalledAfterHours: FEED_STALLED_AFTER_HOURS };
}

/** One Server-Sent Event per item: its cursor as the event id (what Last-Event-ID resumes
 * after), its kind as the event name, the signed item as the data (one line of JSON). */
export const sseEvent = ({ cursor, item }: StoredFeedItem): string => `id: ${cursor}\nevent: ${item.kind}\ndata: ${JSON.stringify(item)}\n\n`;

/** A comment line: keeps proxies from closing an idle stream; clients ignore it. */
export const SSE_HEARTBEAT = ': keep-alive\n\n';
