import { signed } from '@caravanserai/testing';
import type { IncomingMessage } from '../infrastructure/batch-ingest.port';

/**
 * Messages of one topic partition for specs that feed an ingest directly, each at the next offset:
 * `msg` signs the value with the test keys (libs/testing's `signed`), `raw` sends bytes as given
 * (e.g. not JSON).
 */
export function signedMessages(): { msg: (value: unknown) => IncomingMessage; raw: (bytes: string) => IncomingMessage } {
  let offset = 0;
  const raw = (bytes: string): IncomingMessage => ({ topic: 't', partition: 0, offset: String(offset++), key: null, value: Buffer.from(bytes) });
  return { msg: (value) => raw(JSON.stringify(signed(value as never))), raw };
}
