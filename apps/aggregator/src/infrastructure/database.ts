import { assertMigrated, autoMigrateFromEnv, locateMigrations, prepareDatabase, resolveDatabaseUrl } from '@caravanserai/database';
import { Logger } from '@nestjs/common';
import { Pool } from 'pg';
import { applyCellKeySecret } from './cell-key-secret';

export const DEFAULT_DATABASE = 'caravanserai_aggregator';
const HOW_TO_MIGRATE = 'npm run migrate -- --service aggregator';

/** DATABASE_AUTO_MIGRATE=false: throws, in one line, unless the schema is at the latest migration
 * (main.ts calls it before Nest starts, so the reason is not buried in a stack trace). */
export async function assertAggregatorSchema(databaseUrl: string | undefined): Promise<void> {
  const url = resolveDatabaseUrl({ ...process.env, DATABASE_URL: databaseUrl }, DEFAULT_DATABASE);
  await assertMigrated(url, locateMigrations('aggregator', process.env.MIGRATIONS_DIR), HOW_TO_MIGRATE);
}

/** The aggregator's own database, created if missing and migrated before anything uses it, with
 * the region's cell-key secret when CELL_KEY_SECRET_FILE names one. With DATABASE_AUTO_MIGRATE=false
 * it is only checked to be at the latest migration (made beforehand by `npm run migrate`), so the
 * service's role needs no right to create databases or tables. */
export async function openAggregatorDatabase(
  databaseUrl: string | undefined,
  poolSize: number,
  cellKeySecretFile = process.env.CELL_KEY_SECRET_FILE,
  autoMigrate = autoMigrateFromEnv(),
): Promise<Pool> {
  const logger = new Logger('Database');
  const url = resolveDatabaseUrl({ ...process.env, DATABASE_URL: databaseUrl }, DEFAULT_DATABASE);
  const applied = await prepareDatabase(url, locateMigrations('aggregator', process.env.MIGRATIONS_DIR), {
    autoMigrate,
    howToMigrate: HOW_TO_MIGRATE,
  });
  if (applied.length > 0) logger.log(`applied migrations: ${applied.join(', ')}`);
  const pool = new Pool({ connectionString: url, max: poolSize });
  pool.on('error', (e) => logger.warn(`idle connection lost: ${e.message}`));
  if (cellKeySecretFile) {
    try {
      if ((await applyCellKeySecret(pool, cellKeySecretFile)) === 'set') logger.log('cell-key secret set from CELL_KEY_SECRET_FILE');
    } catch (e) {
      await pool.end();
      throw e;
    }
  }
  return pool;
}
