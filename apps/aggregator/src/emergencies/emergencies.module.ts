import { Global, Module, OnModuleInit } from '@nestjs/common';
import { EmergencyContexts } from '../disclosure/domain/emergency-contexts.port';
import { FeedSources } from '../kernel/ports/feed-sources';
import { EmergenciesController } from './api/emergencies.controller';
import { SurgeActivation } from './application/activate-on-surge/surge-activation';
import { DeclareEmergencyHandler } from './application/declare-emergency/declare-emergency.handler';
import { EmergencyFeed } from './application/emergency-feed';
import { EndEmergencyHandler } from './application/end-emergency/end-emergency.handler';
import { PgEmergencies } from './infrastructure/pg-emergencies';

/** Emergencies (docs/emergencies.md): declarations and ends by the secretariat, automatic
 * activations on a critical surge, their feed items; every answer asked under one reads them here. */
@Global()
@Module({
  controllers: [EmergenciesController],
  providers: [
    PgEmergencies,
    // What answers asked under an emergency read (the disclosure context's port).
    { provide: EmergencyContexts, useExisting: PgEmergencies },
    DeclareEmergencyHandler,
    EndEmergencyHandler,
    SurgeActivation,
    EmergencyFeed,
  ],
  exports: [EmergencyContexts],
})
export class EmergenciesModule implements OnModuleInit {
  constructor(
    private readonly sources: FeedSources,
    private readonly feed: EmergencyFeed,
  ) {}

  onModuleInit(): void {
    this.sources.register(this.feed);
  }
}
