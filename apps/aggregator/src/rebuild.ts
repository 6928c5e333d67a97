import { Logger } from '@nestjs/common';
import { rebuildFlows } from './flows/infrastructure/pg-flow-rebuild';
import { openAggregatorDatabase } from './infrastructure/database';
import { rebuildReferrals } from './referrals/infrastructure/pg-referral-rebuild';

/** `npm run rebuild`: drops the projections and rebuilds them from the regional event log. */
async function main() {
  const logger = new Logger('rebuild');
  const pool = await openAggregatorDatabase(process.env.DATABASE_URL, 2);
  try {
    const done = await rebuildFlows(pool, (p) =>
      logger.log(
        `${p.events.toLocaleString('en')} events replayed in ${p.seconds.toFixed(1)} s (${Math.round(p.events / Math.max(p.seconds, 0.001)).toLocaleString('en')}/s)`,
      ),
    );
    logger.log(`flows rebuilt from ${done.events} movement events in ${done.seconds.toFixed(3)} s`);
    const referrals = await rebuildReferrals(pool);
    logger.log(`referrals rebuilt from ${referrals.events} events (${referrals.cells} referrals) in ${referrals.seconds.toFixed(1)} s`);
  } finally {
    await pool.end();
  }
}

main().catch((e) => {
  console.error(`rebuild failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
