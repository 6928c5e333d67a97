import { locateMigrations, migrate } from '@caravanserai/database';
import { dropTestDatabase, freshTestDatabase } from '@caravanserai/testing';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { recordKey } from '../disclosure/domain/cell-key';
import { applyCellKeySecret } from './cell-key-secret';

/** The region's secret from CELL_KEY_SECRET_FILE: taken by an empty database, refused by one whose keys came from another. */
describe('cell-key secret (PostgreSQL)', () => {
  let url: string;
  let pool: Pool;
  const dir = mkdtempSync(join(tmpdir(), 'cell-key-'));
  const file = (name: string, bytes: Buffer) => {
    writeFileSync(join(dir, name), bytes);
    return join(dir, name);
  };
  beforeAll(async () => {
    url = await freshTestDatabase('cell_key_secret');
    await migrate(url, locateMigrations('aggregator'));
    pool = new Pool({ connectionString: url, max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    if (url) await dropTestDatabase(url);
  });

  it('sets the secret of a database with an empty log, and the log keys events with it', async () => {
    const secret = Buffer.alloc(32, 9);
    expect(await applyCellKeySecret(pool, file('region', secret))).toBe('set');
    expect(await applyCellKeySecret(pool, file('region', secret))).toBe('unchanged');
    const id = '0190d7a2-0000-7000-8000-000000000001';
    const { rows } = await pool.query(
      `INSERT INTO regional_events (event_id, type, schema_version, provider, stream_id, stream_version, occurred_on, recorded_at, data, topic, kafka_partition, kafka_offset)
       VALUES ($1, 'MovementRecorded', 1, 'IR', 's-1', 1, '2026-03-01', now(), '{}', 't', 0, 0) RETURNING record_key`,
      [id],
    );
    expect(Number(rows[0].record_key)).toBe(recordKey(secret, id));
  });

  it('refuses another secret once the log holds keys, and one that is too short', async () => {
    await expect(applyCellKeySecret(pool, file('other', Buffer.alloc(32, 1)))).rejects.toThrow(
      /differs from the secret this database's record keys were made with/,
    );
    await expect(applyCellKeySecret(pool, file('short', Buffer.alloc(16, 1)))).rejects.toThrow(/16 bytes; the cell-key secret needs at least 32/);
  });
});
