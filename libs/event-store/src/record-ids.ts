import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';

/** A client's record id is kept only as this digest: it may itself be a case or document number. */
export const recordIdDigest = (recordId: string): string => createHash('sha256').update(recordId, 'utf8').digest('hex');

/**
 * Claims, in the caller's transaction, each record id digest for the id offered with it
 * (`record_ids`, one table per node, `kind` per record type). A digest claimed before (another
 * batch, or a concurrent one once it commits) keeps its first id: the answer says which digests
 * were claimed now (`fresh`) and the ids already held for the others (`known`).
 */
export async function claimRecordIds(
  client: PoolClient,
  kind: string,
  offers: Map<string, string>,
): Promise<{ fresh: Set<string>; known: Map<string, string> }> {
  const digests = [...offers.keys()];
  // Only the digests not claimed come back: none, for a batch of new records, rather than a row for
  // every record of it.
  const { rows: taken } = await client.query<{ digest: string }>(
    `WITH offered AS (SELECT d, e FROM unnest($2::text[], $3::uuid[]) AS t(d, e)),
          claimed AS (INSERT INTO record_ids (kind, id_digest, event_id)
                      SELECT $1, decode(d, 'hex'), e FROM offered
                      ON CONFLICT DO NOTHING
                      RETURNING id_digest)
     SELECT d AS digest FROM offered WHERE decode(d, 'hex') NOT IN (SELECT id_digest FROM claimed)`,
    [kind, digests, digests.map((d) => offers.get(d)!)],
  );
  const stale = taken.map((r) => r.digest);
  const notFresh = new Set(stale);
  const fresh = new Set(digests.filter((d) => !notFresh.has(d)));
  const known = new Map<string, string>();
  if (stale.length > 0) {
    const { rows } = await client.query<{ digest: string; event_id: string }>(
      `SELECT encode(id_digest, 'hex') AS digest, event_id FROM record_ids
        WHERE kind = $1 AND id_digest = ANY(SELECT decode(d, 'hex') FROM unnest($2::text[]) AS d)`,
      [kind, stale],
    );
    for (const r of rows) known.set(r.digest, r.event_id);
  }
  return { fresh, known };
}
