import { Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { TOPICS } from '@caravanserai/contracts';
import { EnvelopeVerifier, loadTrustedKeys } from '@caravanserai/crypto';
import type { Pool } from 'pg';
import { openAggregatorDatabase } from './infrastructure/database';
import { regionalIngests } from './regional-ingests';
import { replayQuarantined } from './quarantine/infrastructure/pg-quarantine-replay';

/**
 * `npm run quarantine:replay -- --id N [--payload-file fixed.json]`: re-runs a quarantined message
 * through the regional ingest (the fixed version if given), and marks it replayed. Exit code 0
 * when the event is now in the regional log, 1 otherwise (with the reason). The signature is
 * checked as the consumer checks it, against TRUSTED_NODE_KEYS_FILE: a fixed payload must carry
 * a valid signature of its provider's node too.
 */
const ingestsFor = (pool: Pool, group: string, keys: EnvelopeVerifier) => {
  const { movements, agreements, referrals } = regionalIngests(pool, group, keys);
  return { [TOPICS.movements]: movements, [TOPICS.agreements]: agreements, [TOPICS.referrals]: referrals };
};

async function main() {
  const { values } = parseArgs({ options: { id: { type: 'string' }, 'payload-file': { type: 'string' } } });
  const id = Number(values.id);
  if (!Number.isInteger(id) || id <= 0) throw new Error('usage: quarantine:replay -- --id N [--payload-file fixed.json]');
  const fixed = values['payload-file'] ? readFileSync(values['payload-file'], 'utf8').trim() : undefined;
  if (!process.env.TRUSTED_NODE_KEYS_FILE) throw new Error('TRUSTED_NODE_KEYS_FILE is required: replayed messages are verified like consumed ones');
  const keys = loadTrustedKeys(process.env.TRUSTED_NODE_KEYS_FILE);
  const logger = new Logger('quarantine-replay');
  const pool = await openAggregatorDatabase(process.env.DATABASE_URL, 1);
  try {
    const outcome = await replayQuarantined(pool, ingestsFor(pool, process.env.CONSUMER_GROUP ?? 'caravanserai-aggregator', keys), id, fixed);
    console.log(JSON.stringify(outcome));
    if (outcome.status === 'applied' || outcome.status === 'duplicate') logger.log(`quarantined message ${id} replayed: ${outcome.status}`);
    else {
      logger.error(`quarantined message ${id} not replayed: ${outcome.status}${'reason' in outcome ? ` (${outcome.reason})` : ''}`);
      process.exitCode = 1;
    }
  } finally {
    await pool.end();
  }
}

main().catch((e) => {
  console.error(`quarantine replay failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
