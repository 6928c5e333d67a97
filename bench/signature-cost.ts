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
    data: { direction: 'entry', borderCrossingPoint: 'IR-DOGHAROUN', citizenship: 'AF', departedFrom: 'AF', intendedDestination: 'TR', category: 'irregular_migrant', sex: 'male', ageBand: '18-59', specificNeeds: [] },
  };
});

function time(label: string, f: () => void): void {
  for (let i = 0; i < 2; i++) f(); // warm-up
  const t0 = process.hrtime.bigint();
  f();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${label.padEnd(58)} ${Math.round(N / s).toLocaleString('en').padStart(9)} events/s  (${((s / N) * 1e6).toFixed(1)} µs each)`);
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
