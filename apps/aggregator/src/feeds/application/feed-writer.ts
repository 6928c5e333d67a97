import { EventKind, PROVIDER_STATES } from '@caravanserai/contracts';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { AgreementRecord, AgreementRegistry } from '../../kernel/ports/agreement-registry';
import { Alerts } from '../../kernel/ports/alerts';
import { AuditTrail } from '../../kernel/ports/audit-trail';
import { applicableCut, Grant } from '../../disclosure/domain/policy';
import { QueryFlows } from '../../kernel/messages/query-flows.query';
import { Clock, CLOCK } from '../../infrastructure/tokens';
import { QueryReferralSummary } from '../../kernel/messages/query-referral-summary.query';
import { Releases } from '../../kernel/ports/releases';
import { FeedItemKind, FeedSigner } from '../../answers/feed-item';
import { agreementItemId, agreementKind, alertItemId, alertKind, flowQueryFor, referralQueryFor, releaseItemId, releaseMark } from '../domain/feed-items';
import { signFeedItem } from '../domain/feed-signature';
import { PgFeedWrites } from '../infrastructure/pg-feed-writes';
import { FeedSources, FeedWriting, PendingFeedItem } from '../../kernel/ports/feed-sources';

/** How often the writers look for work nobody announced (an agreement from Kafka, an expiry, a
 * crash before the items of a release were written). */
export const FEED_POLL_MS = 1_000;

type Pending = PendingFeedItem;

/**
 * Writes the recipients' feeds (docs/integrators.md, "The feed"): for the latest release, each
 * recipient's figures under each agreement granted to it; each alert change, to whoever may see
 * that alert; each agreement change and expiry, to its recipient and its provider state. Every
 * item is computed by the same handlers and rules as the REST answer for that recipient at that
 * moment, audited like one, signed, and stored with a mark of what it reports in one transaction
 * (pg-feed-writes.ts), so a run after a crash or on another instance repeats nothing.
 * Then each registered FeedSource (feed-sources.ts) writes its own items the same way.
 * One run at a time in this process; triggered by ReleaseCut, AlertsChanged and FeedNews and every second.
 */
@Injectable()
export class FeedWriter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('FeedWriter');
  /** Runs one after the other in this process; `queued` while a run asked by soon() has not started. */
  private chain: Promise<void> = Promise.resolve();
  private queued = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly feeds: PgFeedWrites,
    private readonly releases: Releases,
    private readonly alerts: Alerts,
    private readonly registry: AgreementRegistry,
    private readonly queries: QueryBus,
    private readonly audit: AuditTrail,
    private readonly signer: FeedSigner,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly sources: FeedSources,
  ) {}

  onApplicationBootstrap(): void {
    this.soon();
    this.timer = setInterval(() => this.soon(), FEED_POLL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.chain;
  }

  /** A run soon; one already queued (not started) covers this call too. */
  soon(): void {
    if (this.queued) return;
    this.queued = true;
    this.catchUp(() => (this.queued = false)).catch((e) => this.logger.warn(`feed items not written, will retry: ${(e as Error).message}`));
  }

  /** Everything not written yet, after the runs before it: agreement changes first (an item under
   * a new grant follows the grant's own item), then alert changes, then the latest release. */
  catchUp(started: () => void = () => undefined): Promise<void> {
    const run = this.chain.then(async () => {
      started();
      const pending = await this.feeds.pendingWork(this.today());
      if (pending.agreements) await this.writeAgreements();
      if (pending.alerts) await this.writeAlerts();
      if (pending.release !== null) await this.writeRelease(pending.release);
      const writing = this.writing();
      for (const source of this.sources.all()) await source.write(writing);
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * The release's items, if it is still the latest (an answer reads the latest release only: the
   * items of a release superseded before they were written are never made). Returns how many.
   */
  async writeRelease(releaseId: number): Promise<number> {
    const release = await this.releases.latest();
    if (release?.id !== releaseId || (await this.feeds.marked([releaseMark(releaseId)])).size > 0) return 0;
    const [grants, recipients] = await Promise.all([this.registry.grants(), this.feeds.recipients()]);
    const today = this.today();
    const items: Pending[] = [];
    for (const recipient of recipients) {
      for (const provider of PROVIDER_STATES) {
        for (const kind of ['movements', 'referrals'] as EventKind[]) {
          const grant = governing(provider, grants, recipient, kind, today);
          if (!grant) continue;
          const what = kind === 'movements' ? 'flows' : 'referrals';
          const query = what === 'flows' ? flowQueryFor(grant, provider, release.dataUntil) : referralQueryFor(grant, provider, release.dataUntil);
          if (!query) continue;
          const answer = await this.queries.execute(
            what === 'flows' ? new QueryFlows(query as never, recipient) : new QueryReferralSummary(query as never, recipient),
          );
          // Another release was cut meanwhile: its own run writes its items.
          if (answer.release?.id !== release.id) return 0;
          await this.audit.fed(recipient, `release.${what}`, query, { answer });
          const data = { release, provider, agreementId: grant.agreementId, query, answer };
          items.push(await this.item(releaseItemId(release.id, what, provider), `release.${what}`, recipient, release.cutAt, data, grant.agreementId));
        }
      }
    }
    return this.feeds.appendAndMark(items, [releaseMark(release.id)]);
  }

  /** One item per recipient that GET /v1/alerts would show the alert to, per alert change. */
  async writeAlerts(): Promise<number> {
    // Versions before the alerts: an alert changed in between is written again under its new version.
    const versions = await this.feeds.alertVersions();
    const [stored, grants, recipients] = await Promise.all([this.alerts.list({ status: 'all' }), this.registry.grants(), this.feeds.recipients()]);
    const today = this.today();
    const ids = stored.map((a) => alertItemId(a.alertId, versions.get(a.alertId) ?? 1));
    const done = await this.feeds.marked(ids);
    let added = 0;
    for (const [i, alert] of stored.entries()) {
      if (done.has(ids[i])) continue;
      const version = versions.get(alert.alertId) ?? 1;
      const kind = alertKind(alert.status, version);
      const at = alert.subsidedAt ?? (version <= 1 ? alert.detectedAt : alert.updatedAt);
      const items: Pending[] = [];
      for (const recipient of recipients) {
        const shown = this.alerts.visible(alert, grants, { id: recipient }, today);
        if (!shown) continue;
        const cut = applicableCut(alert.provider, grants, { id: recipient }, 'movements', today)!;
        const agreementId = grants.some((g) => g.agreementId === cut.basis) ? cut.basis : null;
        await this.audit.fed(recipient, kind, { alertId: alert.alertId, version }, { items: 1, providers: [alert.provider] });
        items.push(await this.item(ids[i], kind, recipient, at, shown as unknown as Record<string, unknown>, agreementId));
      }
      added += await this.feeds.appendAndMark(items, [ids[i]]);
    }
    return added;
  }

  /** Each agreement event, and each expiry, to the agreement's recipient (everyone with a feed,
   * for an agreement with anyone) and its provider state, the agreement as GET /v1/agreements
   * shows it to them. */
  async writeAgreements(): Promise<number> {
    const [records, recipients] = await Promise.all([this.registry.list('all'), this.feeds.recipients()]);
    const today = this.today();
    const changes: { record: AgreementRecord; id: string; kind: FeedItemKind; at: string }[] = [];
    for (const record of records) {
      for (const event of record.history) {
        const kind = agreementKind(event.type);
        if (kind) changes.push({ record, id: agreementItemId(record.agreementId, event.version), kind, at: new Date(event.recordedAt).toISOString() });
      }
      if (record.status === 'active' && record.validUntil !== null && record.validUntil < today) {
        // Expired at the end of its last valid day.
        const at = new Date(Date.parse(`${record.validUntil}T00:00:00Z`) + 86_400_000).toISOString();
        changes.push({ record, id: agreementItemId(record.agreementId, 'expired'), kind: 'agreement.expired', at });
      }
    }
    const done = await this.feeds.marked(changes.map((c) => c.id));
    let added = 0;
    for (const { record, id, kind, at } of changes) {
      if (done.has(id)) continue;
      const targets = [...new Set([...(record.recipient === '*' ? recipients : [record.recipient]), `state:${record.provider}`])];
      const items: Pending[] = [];
      for (const recipient of targets) {
        await this.audit.fed(recipient, kind, { agreementId: record.agreementId }, { items: 1, providers: [record.provider] });
        items.push(await this.item(id, kind, recipient, at, record as unknown as Record<string, unknown>, record.agreementId));
      }
      added += await this.feeds.appendAndMark(items, [id]);
    }
    return added;
  }

  /** What a registered source writes with: the same recipients, grants, audit, signing and marks. */
  private writing(): FeedWriting {
    const now = this.clock();
    return {
      now,
      today: now.toISOString().slice(0, 10),
      recipients: () => this.feeds.recipients(),
      grants: () => this.registry.grants(),
      marked: (marks) => this.feeds.marked(marks),
      fed: (recipient, kind, query, what) => this.audit.fed(recipient, kind, query, what),
      item: (id, kind, recipient, occurredAt, data, agreementId) => this.item(id, kind, recipient, occurredAt, data, agreementId),
      append: (items, marks) => this.feeds.appendAndMark(items, marks),
    };
  }

  private today(): string {
    return this.clock().toISOString().slice(0, 10);
  }

  /** Signed over exactly what is stored: the data as JSON carries it (no undefined members). */
  private async item(id: string, kind: FeedItemKind, recipient: string, occurredAt: string, data: object, agreementId: string | null): Promise<Pending> {
    const item = await signFeedItem({ id, kind, recipient, occurredAt, data: JSON.parse(JSON.stringify(data)) }, this.signer);
    return { item, agreementId };
  }
}

/** The agreement that governs what `recipient` sees of `provider`'s data of `kind` today, as every
 * answer picks it (applicableCut); none for a state's own data, which no agreement grants. */
function governing(provider: string, grants: readonly Grant[], recipient: string, kind: EventKind, today: string): Grant | null {
  const cut = applicableCut(provider, grants, { id: recipient }, kind, today);
  return cut ? (grants.find((g) => g.agreementId === cut.basis) ?? null) : null;
}
