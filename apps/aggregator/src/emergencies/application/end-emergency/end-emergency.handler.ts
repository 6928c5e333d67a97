import { Inject } from '@nestjs/common';
import { CommandHandler, EventBus, ICommandHandler } from '@nestjs/cqrs';
import { AgreementRegistry } from '../../../kernel/ports/agreement-registry';
import { FeedNews } from '../../../kernel/messages/feed-news.event';
import { Clock, CLOCK } from '../../../infrastructure/tokens';
import { decide, EmergencyError, evolve } from '../../domain/emergency.decider';
import { emergencyView, EmergencyView } from '../../domain/emergency-view';
import { PgEmergencies } from '../../infrastructure/pg-emergencies';
import { EndEmergencyCommand } from './end-emergency.command';

/** Declared over: from the commit on, every answer under it is the ordinary one (a concurrent end or activation: 409, nothing written). */
@CommandHandler(EndEmergencyCommand)
export class EndEmergencyHandler implements ICommandHandler<EndEmergencyCommand, EmergencyView> {
  constructor(
    private readonly emergencies: PgEmergencies,
    private readonly registry: AgreementRegistry,
    private readonly events: EventBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ principal, emergencyId, reason }: EndEmergencyCommand): Promise<EmergencyView> {
    const now = this.clock();
    if (principal !== 'secretariat') throw EmergencyError.forbidden(principal);
    const state = await this.emergencies.get(emergencyId);
    if (!state) throw EmergencyError.notFound(emergencyId);
    const stored = await this.emergencies.record(decide({ type: 'EndEmergency', reason }, state, { principal, now }));
    this.events.publish(new FeedNews());
    const ended = stored.reduce(evolve, state)!;
    return emergencyView(ended, await this.registry.grants(), await this.emergencies.activations([emergencyId]), principal, now.toISOString());
  }
}
