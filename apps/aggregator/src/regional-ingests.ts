import type { Schemas } from '@caravanserai/contracts';
import type { EnvelopeVerifier } from '@caravanserai/crypto';
import type { Pool } from 'pg';
import { AgreementIngest } from './agreements/infrastructure/pg-agreement-ingest';
import { MovementIngest } from './flows/infrastructure/pg-movement-ingest';
import { ReferralIngest } from './referrals/infrastructure/pg-referral-ingest';
import { PoolingRelease } from './infrastructure/pooling-release';

export interface RegionalIngests {
  movements: MovementIngest;
  referrals: ReferralIngest;
  agreements: AgreementIngest;
}

/**
 * The three regional topics' ingests, sharing one PoolingRelease: the movement and referral
 * ingests register their projections in it, and a provider's first grant, taken in by the
 * agreement ingest, releases its held events through them. `movementSchemas`: the movement
 * versions this aggregator reads (default: all the code knows). A composition root, as the app
 * module is (there each context builds its own and registers it in RegionalTopics): for the
 * quarantine replay script and the specs that ingest without a running app.
 */
export function regionalIngests(pool: Pool, consumerGroup: string, verifier: EnvelopeVerifier, options: { movementSchemas?: Schemas } = {}): RegionalIngests {
  const pooling = new PoolingRelease();
  return {
    movements: new MovementIngest(pool, consumerGroup, verifier, pooling, options.movementSchemas),
    referrals: new ReferralIngest(pool, consumerGroup, verifier, pooling),
    agreements: new AgreementIngest(pool, consumerGroup, verifier, pooling),
  };
}
