import { DomainError } from '@caravanserai/contracts';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EventBus, EventsHandler, IEventHandler } from '@nestjs/cqrs';
import { AgreementRegistry } from '../../../kernel/ports/agreement-registry';
import { AlertsChanged } from '../../../kernel/messages/alerts-changed.event';
import { Alerts } from '../../../kernel/ports/alerts';
import { emergencyStatus, statesConcerned } from '../../../disclosure/domain/emergency';
import { isValidOn } from '../../../disclosure/domain/policy';
import { FeedNews } from '../../../kernel/messages/feed-news.event';
import { Clock, CLOCK } from '../../../infrastructure/tokens';
import { decide, Emergency } from '../../domain/emergency.decider';
import { PgEmergencies } from '../../infrastructure/pg-emergencies';
import { EmergencyNews } from '../emergency-news.event';

/**
 * A state's emergency terms that say `on-critical-surge` take effect on their own when an
 * emergency is in force and a critical surge alert stands on a route (or crossing point) of its
 * scope that the state reports: the aggregator records EmergencyTermsActivated {by: critical-surge,
 * alertId} on the emergency's stream. Checked on every alert change, on each declaration and at
 * start. Terms the state activated itself already are left as they are.
 */
@EventsHandler(AlertsChanged, EmergencyNews)
@Injectable()
export class SurgeActivation implements IEventHandler<AlertsChanged | EmergencyNews>, OnApplicationBootstrap {
  private readonly logger = new Logger('SurgeActivation');
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly alerts: Alerts,
    private readonly emergencies: PgEmergencies,
    private readonly registry: AgreementRegistry,
    private readonly events: EventBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.handle();
  }

  handle(): void {
    this.chain = this.chain
      .then(() => this.run())
      .catch((e) => this.logger.warn(`automatic activations not checked, will retry on the next alert change: ${(e as Error).message}`));
  }

  /** Records what is due now; returns how many activations it made. */
  async run(): Promise<number> {
    const now = this.clock().toISOString();
    const inForce = (await this.emergencies.all()).filter((e) => emergencyStatus(e, now) === 'in-force');
    if (inForce.length === 0) return 0;
    const [alerts, grants, activations] = await Promise.all([
      this.alerts.list({ status: 'active' }),
      this.registry.grants(),
      this.emergencies.activations(inForce.map((e) => e.id)),
    ]);
    let made = 0;
    for (const e of inForce) {
      const critical = alerts.filter(
        (a) =>
          a.severity === 'critical' &&
          ((a.route !== null && e.routes.includes(a.route)) || (a.borderCrossingPoint !== null && e.borderCrossingPoints.includes(a.borderCrossingPoint))),
      );
      for (const alert of critical) {
        const due = grants.filter(
          (g) =>
            g.provider === alert.provider &&
            g.status === 'active' &&
            isValidOn(g, now.slice(0, 10)) &&
            g.emergency?.activation === 'on-critical-surge' &&
            statesConcerned(e).includes(g.provider) &&
            !activations.some((a) => a.agreementId === g.agreementId && a.emergencyId === e.id),
        );
        for (const g of due) {
          if (await this.activate(e, g.provider, g.agreementId, alert.alertId)) {
            made += 1;
            activations.push({
              agreementId: g.agreementId,
              emergencyId: e.id,
              provider: g.provider,
              by: 'critical-surge',
              alertId: alert.alertId,
              activatedAt: now,
            });
          }
        }
      }
    }
    if (made > 0) this.events.publish(new FeedNews());
    return made;
  }

  /** One activation, decided on the stream as it is; another append first (an end, another activation): decided again. */
  private async activate(e: Emergency, provider: string, agreementId: string, alertId: string): Promise<boolean> {
    let state: Emergency | null = e;
    for (let attempt = 0; attempt < 3; attempt++) {
      const events = decide({ type: 'ActivateOnSurge', provider, agreementId, alertId }, state, { principal: 'aggregator', now: this.clock() });
      if (events.length === 0) return false;
      try {
        await this.emergencies.record(events);
        this.logger.log(`${provider}'s emergency terms (agreement ${agreementId}) activated for emergency ${e.id} by critical alert ${alertId}`);
        return true;
      } catch (err) {
        if (!(err instanceof DomainError) || err.code !== 'SECRETARIAT.CONFLICT') throw err;
        state = await this.emergencies.get(e.id);
      }
    }
    return false;
  }
}
