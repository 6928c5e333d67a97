import { createKey } from '@caravanserai/credentials';
import { inTransaction, locateMigrations, migrateServiceDatabase, migrationNames } from '@caravanserai/database';
import { PgEventStore } from '@caravanserai/event-store';
import { dropTestDatabase, RestrictedRole, TEST_PG_BASE, testSigningKeys, uniqueSuffix } from '@caravanserai/testing';
import { Client, Pool } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { NodeConfig } from '../config/node.config';
import { openNodeDatabase } from './infrastructure.module';

/** A node whose PostgreSQL role may not create databases nor change the schema (see the
 * aggregator's database.int-spec.ts): migrated beforehand, checked at boot. */
describe('node database without DDL rights (PostgreSQL)', () => {
  const dir = locateMigrations('national-node');
  const url = `${TEST_PG_BASE}/test_node_noddl_${uniqueSuffix()}`;
  let role: RestrictedRole;
  let pool: Pool | undefined;
  const config = (autoMigrate: boolean) =>
    ({ NODE_STATE: 'AF', DATABASE_URL: role.urlOf(url), PG_POOL_SIZE: 2, DATABASE_AUTO_MIGRATE: autoMigrate }) as NodeConfig;

  beforeAll(async () => {
    role = await RestrictedRole.create('node_svc');
  });
  afterAll(async () => {
    await pool?.end();
    await dropTestDatabase(url);
    await role.drop();
  });

  it('runs on a database made by the migrate command, writing events and keys but no schema', async () => {
    await expect(openNodeDatabase(config(true))).rejects.toThrow(/permission denied to create database/);
    await migrateServiceDatabase(url, dir, [role.name]);
    pool = await openNodeDatabase(config(false));
    await createKey(pool, 'node', { principal: 'state:AF', role: 'ingest' });
    // An event appended with its outbox row, as the service does (identity columns, record ids).
    const store = new PgEventStore(pool, testSigningKeys().signer('AF'));
    const event = {
      eventId: uuidv7(),
      type: 'TestHappened',
      schemaVersion: 1,
      provider: 'AF',
      streamId: `s-${uniqueSuffix()}`,
      streamVersion: 1,
      occurredOn: '2026-03-02',
      recordedAt: new Date().toISOString(),
      data: {},
    };
    await inTransaction(pool, (c) => store.append(c, [event], 'movements.v1'));
    expect((await pool.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n).toBe(1);
    await pool.query('DELETE FROM outbox');
    await expect(pool.query('CREATE TABLE intruder (x int)')).rejects.toMatchObject({ code: '42501' });
  });

  it('with automatic migration off, refuses a schema a migration behind, naming it', async () => {
    const latest = migrationNames(dir).at(-1)!;
    const c = new Client({ connectionString: url });
    await c.connect();
    await c.query('DELETE FROM pgmigrations WHERE name = $1', [latest]);
    await c.end();
    await expect(openNodeDatabase(config(false))).rejects.toThrow(
      `is not at the latest migration: ${latest} not applied; run npm run migrate -- --service node`,
    );
  });
});
