import { Client, ClientConfig } from 'pg';

/**
 * Resolves the connection of a service's own database. `DATABASE_URL` wins; otherwise the
 * standard PG* variables; otherwise postgres@127.0.0.1:5432. The database name falls back to
 * the service's default (one database per service).
 */
export function resolveDatabaseUrl(env: NodeJS.ProcessEnv, defaultDatabase: string): string {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  const url = new URL('postgres://127.0.0.1:5432');
  const host = env.PGHOST ?? '127.0.0.1';
  // As in libpq, a PGHOST that starts with a slash is the directory of a Unix-domain socket
  // (cheaper than loopback TCP when PostgreSQL runs on the same machine); the driver takes it as
  // the `host` parameter of the URL.
  if (host.startsWith('/')) {
    url.hostname = 'localhost';
    url.searchParams.set('host', host);
  } else url.hostname = host;
  url.port = env.PGPORT ?? '5432';
  url.username = env.PGUSER ?? 'postgres';
  if (env.PGPASSWORD) url.password = env.PGPASSWORD;
  url.pathname = `/${env.PGDATABASE ?? defaultDatabase}`;
  return url.toString();
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

/** Creates the database named in `url` if it is missing (safe when several processes race). */
export async function ensureDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  if (!/^[a-z0-9_]+$/i.test(name)) throw new Error(`refusing to create database with unusual name "${name}"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() } satisfies ClientConfig);
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return;
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } catch (e) {
      // 42P04 duplicate_database, 23505 when two CREATEs race on pg_database's unique index.
      const code = (e as { code?: string }).code;
      if (code !== '42P04' && code !== '23505') throw e;
    }
  } finally {
    await client.end();
  }
}

/** Drops a database; only for test databases (the name must end in `_test` or contain `test_`). */
export async function dropTestDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  assertTestDatabase(name);
  if (!/^[a-z0-9_]+$/i.test(name)) throw new Error(`refusing to drop database with unusual name "${name}"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    // A pool's end() resolves before its connections have finished closing; terminating one of
    // those (FORCE) makes its client emit an error nobody listens to any more. So give the
    // database's sessions a moment to go away on their own, then force whatever is left.
    for (let i = 0; i < 20; i++) {
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [name]);
      if (rows[0].n === '0') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Tests refuse to touch a database whose name does not mark it as a test database. */
export function assertTestDatabase(name: string): void {
  if (!/(^test_|_test$|_test_)/.test(name)) {
    throw new Error(`refusing to run destructive test code against database "${name}" (not a test database)`);
  }
}
