/**
 * `npm run bench:signatures`: what signing costs the node per event and what verifying costs the
 * aggregator per message, apart from the database and the broker: canonical JSON (RFC 8785) plus
 * Ed25519 over a realistic MovementRecorded envelope, on one core.
 */
import { EnvelopeSigner, generateSigningKeyPair, parseTrustedKeys, TrustedKeyRegistry } from '@caravanserai/crypto';
import { parseMovementEvent } from '@caravanserai/contracts';
import { v7 as uuidv7 } from 'uuid';

const N = Number(process.argv[2] ?? 20_000);
const pair = generateSigningKeyPair();
const signer = new EnvelopeSigner(pair.privateKey, 'ir-bench');
const registry = new TrustedKeyRegistry(parseTrustedKeys({ keys: [{ keyId: 'ir-bench', state: 'IR', publicKey: pair.publicKeyPem, status: 'active' }] }));

const envelopes = Array.from({ length: N }, () => {
  const eventId = uuidv7();
  return {
    eventId,
    type: 'MovementRecorded',
    schemaVersion: 1,
    provider: 'IR',
    streamId: `movement-${eventId}`,
    streamVersion: 1,
    occurredOn: '2026-03-02',
    recordedAt: new Date().toISOString(),
    data: {
      direction: 'entry',
      borderCrossingPoint: 'IR-DOGHAROUN',
      citizenship: 'AF',
      departedFrom: 'AF',
      intendedDestination: 'TR',
      category: 'irregular_migrant',
      sex: 'male',
      ageBand: '18-59',
      specificNeeds: [],
    },
  };
});

function time(label: string, f: () => void): void {
  for (let i = 0; i < 2; i++) f(); // warm-up
  const t0 = process.hrtime.bigint();
  f();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(
    `${label.padEnd(58)} ${Math.round(N / s)
      .toLocaleString('en')
      .padStart(9)} events/s  (${((s / N) * 1e6).toFixed(1)} µs each)`,
  );
}

let messages: Buffer[] = [];
time('node: sign (canonical JSON + Ed25519)', () => {
  messages = envelopes.map((e) => Buffer.from(JSON.stringify(signer.sign(e))));
});
let ok = 0;
time('aggregator: verify alone (JSON.parse + canonical JSON + Ed25519)', () => {
  ok = 0;
  for (const m of messages) if (registry.verify(JSON.parse(m.toString('utf8'))).ok) ok++;
});
if (ok !== N) throw new Error(`only ${ok} of ${N} verified`);
time('aggregator: schema check alone (parseMovementEvent), for scale', () => {
  for (const m of messages) parseMovementEvent(m);
});
console.log(`${N} events of ${messages[0].length} bytes, Node ${process.version}`);

// Signature version 2 (docs/signing.md): one Ed25519 signature per batch over its Merkle root,
// each event with its inclusion proof; the aggregator verifies each distinct root of a batch
// once and each proof (SHA-256). Batches of BATCH events at both ends, as a node's append and a
// consumer's batch; the Ed25519 work on libuv's thread pool as in the services.
const BATCH = Number(process.argv[3] ?? 500);
async function timeAsync(label: string, f: () => Promise<void>): Promise<void> {
  for (let i = 0; i < 2; i++) await f(); // warm-up
  const t0 = process.hrtime.bigint();
  await f();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(
    `${label.padEnd(58)} ${Math.round(N / s)
      .toLocaleString('en')
      .padStart(9)} events/s  (${((s / N) * 1e6).toFixed(1)} µs each)`,
  );
}
const chunks = <T>(list: T[]): T[][] => Array.from({ length: Math.ceil(list.length / BATCH) }, (_, i) => list.slice(i * BATCH, (i + 1) * BATCH));
let batched: Buffer[] = [];
void (async () => {
  const v2 = envelopes.map((e) => ({ ...e, schemaVersion: 2 }));
  await timeAsync(`node v2: sign by batch of ${BATCH} (Merkle tree + 1 Ed25519)`, async () => {
    batched = [];
    for (const c of chunks(v2)) for (const e of await signer.signBatch(c)) batched.push(Buffer.from(JSON.stringify(e)));
  });
  await timeAsync(`aggregator v2: verify by batch of ${BATCH} (root once + proofs)`, async () => {
    ok = 0;
    for (const c of chunks(batched)) for (const v of await registry.verifyAll(c.map((m) => JSON.parse(m.toString('utf8'))))) if (v.ok) ok++;
  });
  if (ok !== N) throw new Error(`only ${ok} of ${N} verified (v2)`);
  await timeAsync(`aggregator v1: verify by batch of ${BATCH} (verifyAll, as consumed)`, async () => {
    ok = 0;
    for (const c of chunks(messages)) for (const v of await registry.verifyAll(c.map((m) => JSON.parse(m.toString('utf8'))))) if (v.ok) ok++;
  });
  time('aggregator v2: schema check alone (parseMovementEvent)', () => {
    for (const m of batched) parseMovementEvent(m);
  });
  console.log(`version 2: ${batched[0].length} to ${batched[batched.length - 1].length} bytes per event (the proof grows with log2 of the batch)`);
})();
