import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { Clock, CLOCK } from '../../infrastructure/tokens';
import { AGGREGATOR_CONFIG, AggregatorConfig } from '../../config/aggregator.config';
import { lastClosedDay, releaseDue } from '../domain/release';
import { ReleaseCut } from '../../kernel/messages/release-cut.event';
import { PgReleases } from '../infrastructure/pg-releases';

/**
 * Cuts a release when the secretariat's schedule says one is due (checked every minute, where the
 * consumer runs). Two instances may both find it due: the cut serialises them, and the second
 * finds the first's release and does nothing.
 */
@Injectable()
export class ReleaseClock implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ReleaseClock');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly releases: PgReleases,
    @Inject(AGGREGATOR_CONFIG) private readonly config: AggregatorConfig,
    private readonly events: EventBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.CONSUME) return;
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.tick().finally(() => (this.running = null));
    }, 60_000);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  async tick(now = this.clock()): Promise<void> {
    try {
      const [schedule, latest] = await Promise.all([this.releases.schedule(), this.releases.latest()]);
      if (!releaseDue(schedule, latest?.cutAt ?? null, now)) return;
      const release = await this.releases.cut({ dataUntil: lastClosedDay(now), by: 'schedule', reason: `${schedule.frequency} at ${schedule.atUtc} UTC` });
      this.logger.log(`release ${release.id} cut on schedule, data up to ${release.dataUntil}`);
      this.events.publish(new ReleaseCut(release));
    } catch (e) {
      this.logger.warn(`scheduled release failed, will retry: ${(e as Error).message}`);
    }
  }
}
