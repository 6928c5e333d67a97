import { createKey } from '@caravanserai/credentials';
import { locateMigrations, migrateServiceDatabase, migrationNames } from '@caravanserai/database';
import { dropTestDatabase, RestrictedRole, TEST_PG_BASE, uniqueSuffix } from '@caravanserai/testing';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { rebuildFlows } from '../flows/infrastructure/pg-flow-rebuild';
import { rebuildReferrals } from '../referrals/infrastructure/pg-referral-rebuild';
import { openAggregatorDatabase } from './database';

/** An aggregator whose PostgreSQL role may not create databases nor change the schema: the
 * database is made beforehand by the migrate command, and the service only checks it at boot. */
describe('aggregator database without DDL rights (PostgreSQL)', () => {
  const dir = locateMigrations('aggregator');
  const url = `${TEST_PG_BASE}/test_agg_nodll_${uniqueSuffix()}`;
  let role: RestrictedRole;
  let pool: Pool | undefined;
  const asOwner = async (sql: string) => {
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      return await c.query(sql);
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    role = await RestrictedRole.create('agg_svc');
  });
  afterAll(async () => {
    await pool?.end();
    await dropTestDatabase(url);
    await role.drop();
  });

  it('cannot create its database itself: with automatic migration, the boot fails', async () => {
    await expect(openAggregatorDatabase(role.urlOf(url), 1, undefined, true)).rejects.toThrow(/permission denied to create database/);
  });

  it('runs on a database made by the migrate command, and may read and write but not change the schema', async () => {
    const applied = await migrateServiceDatabase(url, dir, [role.name]);
    expect(applied).toEqual(migrationNames(dir));

    const secretFile = join(mkdtempSync(join(tmpdir(), 'agg-secret-')), 'cell-key.secret');
    writeFileSync(secretFile, Buffer.alloc(32, 7));
    pool = await openAggregatorDatabase(role.urlOf(url), 2, secretFile, false);
    expect((await pool.query('SELECT current_user AS u')).rows[0].u).toBe(role.name);
    // What the running service does: keys, the cell-key secret (above), projections emptied and rebuilt.
    await createKey(pool, 'aggregator', { principal: 'secretariat', role: 'reader' });
    await rebuildFlows(pool);
    await rebuildReferrals(pool);
    // ...and what it may not.
    await expect(pool.query('CREATE TABLE intruder (x int)')).rejects.toMatchObject({ code: '42501' });
    await expect(pool.query('ALTER TABLE api_keys ADD COLUMN x int')).rejects.toMatchObject({ code: '42501' });
    await expect(pool.query('CREATE DATABASE test_intruder')).rejects.toMatchObject({ code: '42501' });
  });

  it('with automatic migration off, refuses to start on a schema a migration behind, naming it', async () => {
    const latest = migrationNames(dir).at(-1)!;
    await asOwner(`DELETE FROM pgmigrations WHERE name = '${latest}'`);
    await expect(openAggregatorDatabase(role.urlOf(url), 1, undefined, false)).rejects.toThrow(
      `is not at the latest migration: ${latest} not applied; run npm run migrate -- --service aggregator`,
    );
  });

  it('with automatic migration off, names the database that does not exist', async () => {
    const missing = `${TEST_PG_BASE}/test_agg_missing_${uniqueSuffix()}`;
    await expect(openAggregatorDatabase(role.urlOf(missing), 1, undefined, false)).rejects.toThrow(
      /^database test_agg_missing_\w+ does not exist; create and migrate it first: npm run migrate -- --service aggregator$/,
    );
  });
});
