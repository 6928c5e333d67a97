import type { RawMovementLike } from './generator';

export interface MovementResult { recordId: string; eventId: string; status: 'accepted' | 'duplicate' }
export interface MovementBatchAnswer { accepted: number; duplicates: number; results: MovementResult[] }

/** Posts one batch (at most 5,000 records, without `provider`) to a national node's
 * `POST /v1/movements`; throws with the status and body on anything but 200. */
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
