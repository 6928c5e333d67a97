import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runner } from 'node-pg-migrate';

/**
 * Finds `apps/<app>/migrations` by walking up from this file, so that the same code works from
 * the TypeScript sources (tests) and from `dist/` (built services). `MIGRATIONS_DIR` overrides.
 */
export function locateMigrations(app: string, override?: string): string {
  if (override) return override;
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'apps', app, 'migrations');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`migrations of ${app} not found above ${__dirname}`);
    dir = parent;
  }
}

/** Applies the versioned SQL migrations that are not applied yet (node-pg-migrate keeps the
 * ledger in `pgmigrations` and takes an advisory lock, so concurrent starts are safe). */
export async function migrate(databaseUrl: string, dir: string, log: (msg: string) => void = () => {}) {
  const applied = await runner({
    databaseUrl,
    dir,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    count: Infinity,
    singleTransaction: true,
    checkOrder: true,
    log,
    verbose: false,
  });
  return applied.map((m) => m.name);
}
