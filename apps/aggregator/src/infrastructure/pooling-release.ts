import { Logger } from '@nestjs/common';
import type { PoolClient } from 'pg';

/** A projection of provider data that projects one provider's held events of the log when it pools. */
export type HeldEventsRelease = (client: PoolClient, provider: string) => Promise<{ events: number }>;

/**
 * The pooling of a provider's data (docs/architecture.md, "Agreements in the data flow"). Until
 * its first grant, a provider's movements and referrals are kept in the regional log but not
 * projected (the ingest pipeline holds them). The projections of provider data register here
 * (`register`, done by their ingests); the first grant (`pool`, called by the agreement ingest)
 * marks the provider pooled and releases its held events through every registered projection, in
 * the grant's transaction. The agreements code thus knows no projection by name.
 */
export class PoolingRelease {
  private readonly logger = new Logger('PoolingRelease');
  private readonly projections = new Map<string, HeldEventsRelease>();

  /** Registers the projection `name`; registering a name again replaces it. */
  register(name: string, release: HeldEventsRelease): void {
    this.projections.set(name, release);
  }

  /** Marks `provider` pooled and projects what it sent before; a provider already pooled is left
   * as it is. The UPDATE waits for the share locks the ingests hold on its pool row, so a batch
   * and the release never both project the same event, and never neither. */
  async pool(client: PoolClient, provider: string): Promise<void> {
    const { rowCount } = await client.query('UPDATE provider_pool SET pooled_at = now() WHERE provider = $1 AND pooled_at IS NULL', [provider]);
    if (!rowCount) return;
    const projected: string[] = [];
    for (const [name, release] of this.projections) projected.push(`${(await release(client, provider)).events} ${name}`);
    this.logger.log(`${provider} pooled its data: held events projected: ${projected.join(', ') || 'none (no projection registered)'}`);
  }
}
