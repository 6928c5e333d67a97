import { SHAREABLE_DIMENSIONS } from '@caravanserai/contracts';
import type { RawMovementLike } from './generator';

export interface MovementResult {
  recordId: string;
  eventId: string;
  status: 'accepted' | 'duplicate';
}
export interface MovementBatchAnswer {
  accepted: number;
  duplicates: number;
  results: MovementResult[];
}

/** Posts one batch (at most 5,000 records, without `provider`) to a national node's
 * `POST /v1/movements` (with the state's ingest key in `headers`); throws with the status and body on anything but 200. */
export async function postMovements(nodeUrl: string, records: RawMovementLike[], headers: Record<string, string> = {}): Promise<MovementBatchAnswer> {
  const res = await fetch(`${nodeUrl.replace(/\/+$/, '')}/v1/movements`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ records }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`POST ${nodeUrl}/v1/movements: ${res.status} ${text.slice(0, 2000)}`);
  return JSON.parse(text) as MovementBatchAnswer;
}

/** Grants a data-sharing agreement on a national node (`POST /v1/agreements`, with the node's
 * admin key in `headers`); returns its id. */
export async function grantAgreement(nodeUrl: string, terms: Record<string, unknown>, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${nodeUrl.replace(/\/+$/, '')}/v1/agreements`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(terms),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST ${nodeUrl}/v1/agreements: ${res.status} ${text.slice(0, 2000)}`);
  return (JSON.parse(text) as { agreementId: string }).agreementId;
}

/** Terms that let a recipient see everything at the finest level (k = 1): for tests and demos
 * that check counts exactly. */
export const OPEN_TERMS = {
  scope: { eventKinds: ['movements', 'referrals'] },
  dimensions: [...SHAREABLE_DIMENSIONS],
  minTimeGranularity: 'day',
  minGeoGranularity: 'border_crossing_point',
  minCellSize: 1,
  embargoDays: 0,
  validFrom: '2020-01-01',
  validUntil: null,
  dataFrom: null,
  dataUntil: null,
  purpose: 'regional monitoring (test and demo data)',
};
