import { Inject } from '@nestjs/common';
import { CommandHandler, EventBus, ICommandHandler } from '@nestjs/cqrs';
import { v7 as uuidv7 } from 'uuid';
import { AgreementRegistry } from '../../../kernel/ports/agreement-registry';
import { FeedNews } from '../../../kernel/messages/feed-news.event';
import { Clock, CLOCK } from '../../../infrastructure/tokens';
import { decide, evolve } from '../../domain/emergency.decider';
import { emergencyView, EmergencyView } from '../../domain/emergency-view';
import { PgEmergencies } from '../../infrastructure/pg-emergencies';
import { EmergencyNews } from '../emergency-news.event';
import { DeclareEmergencyCommand } from './declare-emergency.command';

@CommandHandler(DeclareEmergencyCommand)
export class DeclareEmergencyHandler implements ICommandHandler<DeclareEmergencyCommand, EmergencyView> {
  constructor(
    private readonly emergencies: PgEmergencies,
    private readonly registry: AgreementRegistry,
    private readonly events: EventBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ principal, routes, borderCrossingPoints, days, reason }: DeclareEmergencyCommand): Promise<EmergencyView> {
    const now = this.clock();
    const emergencyId = uuidv7();
    const stored = await this.emergencies.record(
      decide({ type: 'DeclareEmergency', emergencyId, routes, borderCrossingPoints, days, reason }, null, { principal, now }),
    );
    // After the commit: automatic activations are checked at once, and the feeds tell whom it concerns.
    this.events.publish(new EmergencyNews(emergencyId));
    this.events.publish(new FeedNews());
    return emergencyView(stored.reduce(evolve, null)!, await this.registry.grants(), [], principal, now.toISOString());
  }
}
