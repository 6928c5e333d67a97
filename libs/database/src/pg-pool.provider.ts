import { Pool, PoolClient } from 'pg';

export const PG_POOL = Symbol('PG_POOL');

/** Runs `work` in one transaction on a pooled connection; rolls back on any error. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // While checked out, a lost connection (the server restarted) is emitted on the client; with no
  // listener that would crash the process. The query in flight fails with it, which is enough.
  const onError = () => undefined;
  client.on('error', onError);
  let failed = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    failed = true;
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    // A connection that saw an error may be broken (e.g. the server restarted): discard it.
    client.off('error', onError);
    client.release(failed ? true : undefined);
  }
}
