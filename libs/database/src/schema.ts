import { readdirSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { Client } from 'pg';
import { databaseName, ensureDatabase } from './connection';
import { migrate } from './migrations';

/** The names of the migrations in `dir`, in the order node-pg-migrate applies them (its name of a
 * migration is the file name without its extension). */
export function migrationNames(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && /\.(sql|js|ts|cjs|mjs)$/.test(e.name))
    .map((e) => basename(e.name, extname(e.name)))
    .sort();
}

/** The database's schema is not the one this version of the service needs: one line that says
 * which migration is missing and what to run. */
export class SchemaNotReadyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaNotReadyError';
  }
}

/** DATABASE_AUTO_MIGRATE: `true` (default: create the database if missing and migrate at boot) or
 * `false` (a service whose role may not create databases nor change the schema: only check). */
export function autoMigrateFromEnv(env: Record<string, string | undefined> = process.env): boolean {
  const raw = env.DATABASE_AUTO_MIGRATE?.trim().toLowerCase();
  if (raw === undefined || raw === '') return true;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new SchemaNotReadyError(`DATABASE_AUTO_MIGRATE must be true or false (got "${env.DATABASE_AUTO_MIGRATE}")`);
}

/**
 * Checks, without changing anything, that every migration in `dir` is applied to the database at
 * `url`; reads only the `pgmigrations` ledger, so a role with no right to create databases or
 * tables can run it. Throws a SchemaNotReadyError naming the first missing migration.
 */
export async function assertMigrated(url: string, dir: string, howToMigrate: string): Promise<void> {
  const name = databaseName(url);
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
  } catch (e) {
    // 3D000 invalid_catalog_name: the database does not exist.
    if ((e as { code?: string }).code === '3D000')
      throw new SchemaNotReadyError(`database ${name} does not exist; create and migrate it first: ${howToMigrate}`);
    throw e;
  }
  try {
    let applied: Set<string>;
    try {
      applied = new Set((await client.query<{ name: string }>('SELECT name FROM pgmigrations')).rows.map((r) => r.name));
    } catch (e) {
      // 42P01 undefined_table: never migrated; 42501: the role may not read the ledger.
      const code = (e as { code?: string }).code;
      if (code === '42P01') throw new SchemaNotReadyError(`database ${name} has no migrations applied; run ${howToMigrate}`);
      if (code === '42501') throw new SchemaNotReadyError(`database ${name}: this role may not read pgmigrations; grant it (${howToMigrate} --grant-to ROLE)`);
      throw e;
    }
    const missing = migrationNames(dir).filter((m) => !applied.has(m));
    if (missing.length > 0) {
      const more = missing.length > 1 ? ` and ${missing.length - 1} more` : '';
      throw new SchemaNotReadyError(`database ${name} is not at the latest migration: ${missing[0]}${more} not applied; run ${howToMigrate}`);
    }
  } finally {
    await client.end();
  }
}

/**
 * What a service does with its database before it uses it. With `autoMigrate` (the default) it
 * creates the database if missing and applies its migrations; without, it only checks that the
 * schema is at the latest migration (assertMigrated). Returns the migrations applied now.
 */
export async function prepareDatabase(url: string, dir: string, options: { autoMigrate: boolean; howToMigrate: string }): Promise<string[]> {
  if (!options.autoMigrate) {
    await assertMigrated(url, dir, options.howToMigrate);
    return [];
  }
  await ensureDatabase(url);
  return migrate(url, dir);
}

const ROLE_RE = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Lets `roles` run a service on the database at `url` and nothing more: connect, use the public
 * schema, read and write every table (TRUNCATE too: releases and rebuilds empty projections) and
 * sequence; no CREATE on the schema (taken from PUBLIC as well, as PostgreSQL 15 does by default).
 * Run by the migrating (owning) role after the migrations, so the new tables are included.
 */
function checkRoleNames(roles: string[]): void {
  for (const r of roles) if (!ROLE_RE.test(r)) throw new SchemaNotReadyError(`--grant-to: "${r}" is not a plain role name (a-z 0-9 _)`);
}

export async function grantServiceRights(url: string, roles: string[]): Promise<void> {
  checkRoleNames(roles);
  const name = databaseName(url);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
    for (const r of roles) {
      await client.query(`GRANT CONNECT ON DATABASE "${name}" TO "${r}"`);
      await client.query(`GRANT USAGE ON SCHEMA public TO "${r}"`);
      await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO "${r}"`);
      await client.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO "${r}"`);
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    if ((e as { code?: string }).code === '42704') throw new SchemaNotReadyError(`--grant-to: ${(e as Error).message}`);
    throw e;
  } finally {
    await client.end();
  }
}

/**
 * What `npm run migrate -- --service …` does, as the database's owner: creates the database if
 * missing, applies the migrations, and, with `grantTo`, gives those roles the rights to run the
 * service (grantServiceRights). Returns the migrations applied now.
 */
export async function migrateServiceDatabase(url: string, dir: string, grantTo: string[] = []): Promise<string[]> {
  checkRoleNames(grantTo); // before anything is changed
  await ensureDatabase(url);
  const applied = await migrate(url, dir);
  if (grantTo.length > 0) await grantServiceRights(url, grantTo);
  return applied;
}
