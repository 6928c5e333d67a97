import type { PoolClient } from 'pg';
import type { ReferralFact } from '../domain/referral-facts';

/** Fact fields and their columns; every one but the key merges by COALESCE (see the migration). */
const COLUMNS: [keyof ReferralFact, string, string][] = [
  ['streamId', 'stream_id', 'text'],
  ['provider', 'provider', 'text'],
  ['madeOn', 'made_on', 'date'],
  ['category', 'category', 'text'],
  ['referredTo', 'referred_to', 'text'],
  ['sex', 'sex', 'text'],
  ['ageBand', 'age_band', 'text'],
  ['specificNeeds', 'specific_needs', 'text'],
  ['borderCrossingPoint', 'border_crossing_point', 'text'],
  ['province', 'province', 'text'],
  ['referredAt', 'referred_at', 'timestamptz'],
  ['acknowledgedAt', 'acknowledged_at', 'timestamptz'],
  ['acceptedAt', 'accepted_at', 'timestamptz'],
  ['declinedAt', 'declined_at', 'timestamptz'],
  ['declineReason', 'decline_reason', 'text'],
  ['closedAt', 'closed_at', 'timestamptz'],
  ['outcome', 'outcome', 'text'],
];

// A referral's cell key is the record key of its stream id (computed in PostgreSQL with the
// database's secret, see the cell-keys migration), set when its first event arrives.
// specific_needs travels as a JSON text per row (unnest cannot take an array of arrays of
// different lengths) and becomes text[] in the SELECT.
const UPSERT = `
  INSERT INTO referral_facts (${COLUMNS.map((c) => c[1]).join(', ')}, record_key)
  SELECT ${COLUMNS.map(([, col]) =>
    col === 'specific_needs'
      ? `CASE WHEN t.specific_needs IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(t.specific_needs::jsonb)) END`
      : `t.${col}`,
  ).join(', ')}, record_key(t.stream_id)
    FROM unnest(${COLUMNS.map(([, , type], i) => `$${i + 1}::${type}[]`).join(', ')}) AS t(${COLUMNS.map((c) => c[1]).join(', ')})
  ON CONFLICT (stream_id) DO UPDATE SET
  ${COLUMNS.slice(2)
    .map(([, col]) => `${col} = COALESCE(EXCLUDED.${col}, referral_facts.${col})`)
    .join(',\n  ')}`;

/** Merges facts into the projection with one multi-row upsert. */
export async function upsertReferralFacts(client: PoolClient, facts: ReferralFact[]): Promise<number> {
  if (facts.length === 0) return 0;
  const params = COLUMNS.map(([field]) =>
    facts.map((f) => (field === 'specificNeeds' ? (f.specificNeeds === null ? null : JSON.stringify(f.specificNeeds)) : f[field])),
  );
  await client.query(UPSERT, params);
  return facts.length;
}

/** The provider of each referral the projection already holds. */
export async function referralProviders(client: PoolClient, streamIds: string[]): Promise<Map<string, string>> {
  if (streamIds.length === 0) return new Map();
  const { rows } = await client.query<{ stream_id: string; provider: string }>(
    'SELECT stream_id, provider FROM referral_facts WHERE stream_id = ANY($1::text[])',
    [streamIds],
  );
  return new Map(rows.map((r) => [r.stream_id, r.provider]));
}
