import { movementRecorded, movementRetracted, testSigningKeys } from '@caravanserai/testing';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { load } from 'js-yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MOVEMENT_SCHEMAS, parseMovementEvent } from './envelope.schema';

/**
 * docs/asyncapi.yaml carries every live version of each movement event (issue 18): the versions
 * of each message's payload are those of MOVEMENT_SCHEMAS, and version 2 events as a node signs
 * them validate and are taken in, while the ways a version 2 event can be wrong are refused by
 * both. (asyncapi-doc.spec.ts holds the rest of the document to the code.)
 */
type Json = Record<string, unknown>;
const doc = load(readFileSync(join(__dirname, '../../../docs/asyncapi.yaml'), 'utf8')) as {
  components: { messages: Record<string, { payload: Json }>; schemas: Record<string, Json> };
};
const ajv = new Ajv({ strict: true, strictTypes: false, strictRequired: false, allErrors: true });
addFormats(ajv);
ajv.addKeyword({ keyword: 'components' });
ajv.addSchema({ $id: 'asyncapi.yaml', components: doc.components }, 'asyncapi.yaml');
const schemaAccepts = (type: string, event: unknown) => ajv.compile({ $ref: `asyncapi.yaml#/components/messages/${type}/payload` })(event);

const registry = testSigningKeys().registry();
const aggregatorAccepts = (event: object) => parseMovementEvent(JSON.stringify(event)).ok && registry.verify(event).ok;

describe('docs/asyncapi.yaml: every live version of the movement events', () => {
  it.each(Object.keys(MOVEMENT_SCHEMAS))('%s: the payload has one schema per version the code reads', (type) => {
    const branches = (doc.components.messages[type].payload.oneOf as { $ref: string }[]).map((b) => doc.components.schemas[b.$ref.split('/').pop()!]);
    const versions = branches.map((b) => ((b.properties as Json).schemaVersion as { const: number }).const).sort();
    expect(versions).toEqual(Object.keys(MOVEMENT_SCHEMAS[type]).map(Number).sort());
  });

  it('version 2 events as a node signs them validate, and the schema and the aggregator refuse the same broken ones', async () => {
    const recorded = movementRecorded({ provider: 'IR' });
    const events = await testSigningKeys()
      .signer('IR')
      .signBatch([recorded, movementRetracted(recorded), movementRecorded({ provider: 'IR' })].map((e) => ({ ...e, schemaVersion: 2 as const })));
    for (const e of events)
      expect({ type: e.type, schema: schemaAccepts(e.type, e), aggregator: aggregatorAccepts(e) }).toEqual({ type: e.type, schema: true, aggregator: true });
    const [e] = events;
    const broken: [string, object][] = [
      ['with a per-event signature too', { ...e, signature: 'A'.repeat(86) }],
      ['without batch', { ...e, batch: undefined }],
      ['without proof', { ...e, proof: undefined }],
      ['a path hash too short', { ...e, proof: { ...e.proof, path: ['abc'] } }],
      ['a negative index', { ...e, proof: { ...e.proof, index: -1 } }],
      ['size 0', { ...e, batch: { ...e.batch, size: 0 } }],
      ['an unknown member in batch', { ...e, batch: { ...e.batch, extra: 1 } }],
      ['schemaVersion 1 with batch', { ...e, schemaVersion: 1 }],
    ];
    for (const [what, event] of broken) {
      const json = JSON.parse(JSON.stringify(event));
      expect({ what, schema: schemaAccepts(e.type, json), aggregator: aggregatorAccepts(json) }).toEqual({ what, schema: false, aggregator: false });
    }
  });
});
