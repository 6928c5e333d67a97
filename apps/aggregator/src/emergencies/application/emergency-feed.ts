import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { Alerts } from '../../kernel/ports/alerts';
import { emergencyEnd, EmergencyActivation, emergencyStatus, statesConcerned, termsInEffect } from '../../disclosure/domain/emergency';
import type { Grant } from '../../disclosure/domain/policy';
import type { FeedSource, FeedWriting, PendingFeedItem } from '../../kernel/ports/feed-sources';
import { feedWindow } from '../../answers/feed-item';
import { QueryFlows } from '../../kernel/messages/query-flows.query';
import { FLOW_DIMENSIONS, FlowAnswer, FlowQuery } from '../../answers/flow-answer';
import { Releases } from '../../kernel/ports/releases';
import type { Emergency } from '../domain/emergency.decider';
import { emergencyView } from '../domain/emergency-view';
import { PgEmergencies } from '../infrastructure/pg-emergencies';

/** Who hears of a grant's emergency terms: its recipient (everyone with a feed, for `*`) and the further recipients they name. */
const termsRecipients = (g: Grant, everyone: string[]) => [...(g.recipient === '*' ? everyone : [g.recipient]), ...(g.emergency?.recipients ?? [])];

/** The flow query of a release item under emergency terms: one provider, the finest time the terms
 * allow, grouped by every flow dimension the grant and the terms allow together, the feed's window. */
export function emergencyFlowQueryFor(grant: Grant, emergencyId: string, dataUntil: string): FlowQuery | null {
  const terms = grant.emergency;
  const window = feedWindow(dataUntil, grant.dataFrom ?? null);
  if (!terms || !window) return null;
  const allowed = new Set<string>([...grant.dimensions, ...terms.dimensions]);
  const groupBy = FLOW_DIMENSIONS.filter(
    (d) => d !== 'provider' && allowed.has(d) && (d !== 'borderCrossingPoint' || terms.minGeoGranularity === 'border_crossing_point'),
  );
  return { ...window, granularity: terms.minTimeGranularity, groupBy, providers: [grant.provider], emergency: emergencyId };
}

/**
 * The emergencies' feed items (docs/integrators.md, "The feed"): `emergency.declared` and
 * `emergency.ended` to the secretariat, the states whose data the scope covers and the recipients
 * of their emergency terms, each the emergency as GET /v1/emergencies/{id} shows it to them;
 * `emergency.activated` to the state and the recipients of its terms (with the triggering alert, as
 * GET /v1/alerts would show it to them, when automatic); and, for the latest release while terms
 * are in effect, `release.emergency-flows` to each recipient under them: the ?emergency= answer at
 * the finest the terms allow, under the agreement, so that a revocation hides it.
 */
@Injectable()
export class EmergencyFeed implements FeedSource {
  readonly name = 'emergencies';

  constructor(
    private readonly releases: Releases,
    private readonly alerts: Alerts,
    private readonly emergencies: PgEmergencies,
    private readonly queries: QueryBus,
  ) {}

  async write(w: FeedWriting): Promise<number> {
    const all = await this.emergencies.all();
    if (all.length === 0) return 0;
    const now = w.now.toISOString();
    const [grants, everyone, activations] = await Promise.all([w.grants(), w.recipients(), this.emergencies.activations(all.map((e) => e.id))]);
    let added = 0;
    for (const e of all) {
      const audience = this.audience(e, grants, everyone);
      const status = emergencyStatus(e, now);
      added += await this.announce(w, e, 'declared', 'emergency.declared', e.declaredAt, audience, grants, activations, now);
      if (status !== 'in-force') added += await this.announce(w, e, status, 'emergency.ended', emergencyEnd(e), audience, grants, activations, now);
      added += await this.activated(
        w,
        e,
        grants,
        everyone,
        activations.filter((a) => a.emergencyId === e.id),
      );
      if (status === 'in-force') added += await this.releaseItems(w, e, grants, everyone, activations);
    }
    return added;
  }

  private audience(e: Emergency, grants: readonly Grant[], everyone: string[]): string[] {
    const concerned = statesConcerned(e);
    const terms = grants.filter((g) => g.status === 'active' && g.emergency && concerned.includes(g.provider));
    return [...new Set(['secretariat', ...concerned.map((s) => `state:${s}`), ...terms.flatMap((g) => termsRecipients(g, everyone))])];
  }

  private async announce(
    w: FeedWriting,
    e: Emergency,
    what: string,
    kind: 'emergency.declared' | 'emergency.ended',
    at: string,
    audience: string[],
    grants: Grant[],
    activations: EmergencyActivation[],
    now: string,
  ): Promise<number> {
    const id = `emergency/${e.id}/${what}`;
    if ((await w.marked([id])).size > 0) return 0;
    const items: PendingFeedItem[] = [];
    for (const recipient of audience) {
      const view = emergencyView(e, grants, activations, recipient, now);
      await w.fed(recipient, kind, { emergencyId: e.id }, { items: 1, providers: view.terms.map((t) => t.provider) });
      items.push(await w.item(id, kind, recipient, at, view, null));
    }
    return w.append(items, [id]);
  }

  private async activated(w: FeedWriting, e: Emergency, grants: Grant[], everyone: string[], activations: EmergencyActivation[]): Promise<number> {
    if (activations.length === 0) return 0;
    const ids = activations.map((a) => `emergency/${e.id}/activated/${a.agreementId}`);
    const done = await w.marked(ids);
    if (activations.every((_, i) => done.has(ids[i]))) return 0;
    // The alerts that triggered automatic activations, read once for every item to write.
    const alerts = activations.some((a, i) => a.alertId && !done.has(ids[i])) ? await this.alerts.list({ status: 'all' }) : [];
    let added = 0;
    for (const [i, a] of activations.entries()) {
      if (done.has(ids[i])) continue;
      const grant = grants.find((g) => g.agreementId === a.agreementId);
      if (!grant) continue;
      const effect = termsInEffect(grant, { emergency: e, activations, now: a.activatedAt });
      const alert = a.alertId ? (alerts.find((x) => x.alertId === a.alertId) ?? null) : null;
      const items: PendingFeedItem[] = [];
      for (const recipient of [...new Set([`state:${a.provider}`, ...termsRecipients(grant, everyone)])]) {
        const data = {
          emergencyId: e.id,
          provider: a.provider,
          agreementId: a.agreementId,
          activatedAt: a.activatedAt,
          by: a.by,
          until: effect?.until ?? null,
          alertId: a.alertId,
          alert: alert && this.alerts.visible(alert, grants, { id: recipient }, w.today),
        };
        await w.fed(recipient, 'emergency.activated', { emergencyId: e.id, agreementId: a.agreementId }, { items: 1, providers: [a.provider] });
        items.push(await w.item(ids[i], 'emergency.activated', recipient, a.activatedAt, data, a.agreementId));
      }
      added += await w.append(items, [ids[i]]);
    }
    return added;
  }

  /** For the latest release, once per (release, emergency, agreement) while the terms are in effect. */
  private async releaseItems(w: FeedWriting, e: Emergency, grants: Grant[], everyone: string[], activations: EmergencyActivation[]): Promise<number> {
    const ctx = { emergency: e, activations, now: w.now.toISOString() };
    const inEffect = grants.filter((g) => termsInEffect(g, ctx) !== null);
    if (inEffect.length === 0) return 0;
    const release = await this.releases.latest();
    if (!release) return 0;
    const marks = inEffect.map((g) => `release/${release.id}/emergency/${e.id}/${g.agreementId}`);
    const done = await w.marked(marks);
    let added = 0;
    for (const [i, g] of inEffect.entries()) {
      if (done.has(marks[i])) continue;
      const query = emergencyFlowQueryFor(g, e.id, release.dataUntil);
      const items: PendingFeedItem[] = [];
      for (const recipient of query ? [...new Set(termsRecipients(g, everyone))] : []) {
        const answer: FlowAnswer = await this.queries.execute(new QueryFlows(query!, recipient));
        if (answer.release?.id !== release.id) return added; // another release was cut meanwhile: its run writes its items
        // Only an answer in which this state's part was in fact cut to its emergency terms.
        if (!answer.disclosure.emergency?.underEmergencyTerms.includes(g.provider)) continue;
        await w.fed(recipient, 'release.emergency-flows', query!, { answer });
        const data = { release, emergencyId: e.id, provider: g.provider, agreementId: g.agreementId, query, answer };
        items.push(
          await w.item(
            `release/${release.id}/emergency-flows/${e.id}/${g.agreementId}`,
            'release.emergency-flows',
            recipient,
            release.cutAt,
            data,
            g.agreementId,
          ),
        );
      }
      added += await w.append(items, [marks[i]]);
    }
    return added;
  }
}
