import { ensureDatabase, locateMigrations, migrate, resolveDatabaseUrl } from '@caravanserai/database';
import { Logger } from '@nestjs/common';
import { Pool } from 'pg';

export const DEFAULT_DATABASE = 'caravanserai_aggregator';

/** The aggregator's own database, created if missing and migrated before anything uses it. */
export async function openAggregatorDatabase(databaseUrl: string | undefined, poolSize: number): Promise<Pool> {
  const logger = new Logger('Database');
  const url = resolveDatabaseUrl({ ...process.env, DATABASE_URL: databaseUrl }, DEFAULT_DATABASE);
  await ensureDatabase(url);
  const applied = await migrate(url, locateMigrations('aggregator', process.env.MIGRATIONS_DIR));
  if (applied.length > 0) logger.log(`applied migrations: ${applied.join(', ')}`);
  const pool = new Pool({ connectionString: url, max: poolSize });
  pool.on('error', (e) => logger.warn(`idle connection lost: ${e.message}`));
  return pool;
}
