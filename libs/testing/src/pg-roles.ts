import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

// As in ./index (not imported from there: it re-exports this file).
const TEST_PG_BASE = process.env.TEST_PG_BASE ?? 'postgres://postgres@127.0.0.1:5432';

/**
 * A PostgreSQL login role as an operator gives a service that may not create databases, roles
 * or tables (NOCREATEDB NOCREATEROLE, no grant but what `npm run migrate -- --grant-to` gives).
 * `urlOf` turns a database URL into the same URL logged in as this role.
 */
export class RestrictedRole {
  private constructor(readonly name: string) {}

  static async create(purpose: string): Promise<RestrictedRole> {
    const name = `test_${purpose}_${randomBytes(4).toString('hex')}`.toLowerCase();
    await RestrictedRole.admin(`CREATE ROLE "${name}" LOGIN PASSWORD 'service' NOCREATEDB NOCREATEROLE NOSUPERUSER`);
    return new RestrictedRole(name);
  }

  private static async admin(sql: string): Promise<void> {
    const client = new Client({ connectionString: `${TEST_PG_BASE}/postgres` });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  urlOf(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.username = this.name;
    url.password = 'service';
    return url.toString();
  }

  /** Drops the role (drop its test databases first: their grants go with them). */
  async drop(): Promise<void> {
    await RestrictedRole.admin(`DROP ROLE IF EXISTS "${this.name}"`);
  }
}
