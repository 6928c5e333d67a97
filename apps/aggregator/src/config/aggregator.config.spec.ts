import { validateEnvironment } from '@caravanserai/platform';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AggregatorConfig, movementSchemas } from './aggregator.config';

/** A consuming aggregator needs a usable trust file; the error names the setting and the problem. */
describe('AggregatorConfig trusted node keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agg-config-'));
  const publicKey = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const good = write('good.json', JSON.stringify({ keys: [{ keyId: 'af-1', state: 'AF', publicKey, status: 'active' }] }));
  const check = (env: Record<string, string>) => validateEnvironment(AggregatorConfig)(env);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts with a valid trust file, and an API-only instance without one', () => {
    expect(check({ TRUSTED_NODE_KEYS_FILE: good })).toMatchObject({ TRUSTED_NODE_KEYS_FILE: good, TRUSTED_NODE_KEYS_POLL_MS: 1000 });
    expect(check({ CONSUME: 'false' }).TRUSTED_NODE_KEYS_FILE).toBeUndefined();
  });

  it('refuses to consume without a usable trust file, naming the problem', () => {
    expect(() => check({})).toThrow(/TRUSTED_NODE_KEYS_FILE=null: required: a file path/);
    expect(() => check({ TRUSTED_NODE_KEYS_FILE: join(dir, 'nope.json') })).toThrow(/nope\.json: ENOENT/);
    const bad = write('bad.json', JSON.stringify({ keys: [{ keyId: 'af-1', state: 'AF', publicKey: 'xyz', status: 'active' }] }));
    expect(() => check({ TRUSTED_NODE_KEYS_FILE: bad })).toThrow(/bad\.json: keys\[0\]\.publicKey: not an Ed25519 public key/);
    // Given, it is checked even on an API-only instance.
    expect(() => check({ CONSUME: 'false', TRUSTED_NODE_KEYS_FILE: bad })).toThrow(/keys\[0\]\.publicKey/);
  });

  it('reads every movement version unless AGGREGATOR_MAX_SCHEMA_VERSION holds it to fewer; none it does not know', () => {
    const all = check({ TRUSTED_NODE_KEYS_FILE: good });
    expect(all.AGGREGATOR_MAX_SCHEMA_VERSION).toBeUndefined();
    expect(Object.keys(movementSchemas(all).MovementRecorded)).toEqual(['1', '2']);
    const held = check({ TRUSTED_NODE_KEYS_FILE: good, AGGREGATOR_MAX_SCHEMA_VERSION: '1' });
    expect(Object.keys(movementSchemas(held).MovementRecorded)).toEqual(['1']);
    expect(Object.keys(movementSchemas(held).MovementRetracted)).toEqual(['1']);
    expect(() => check({ TRUSTED_NODE_KEYS_FILE: good, AGGREGATOR_MAX_SCHEMA_VERSION: '3' })).toThrow(/AGGREGATOR_MAX_SCHEMA_VERSION/);
    expect(() => check({ TRUSTED_NODE_KEYS_FILE: good, AGGREGATOR_MAX_SCHEMA_VERSION: '0' })).toThrow(/AGGREGATOR_MAX_SCHEMA_VERSION/);
  });
});

describe('AggregatorConfig feed delivery', () => {
  const check = (env: Record<string, string>) => validateEnvironment(AggregatorConfig)({ CONSUME: 'false', ...env });

  it('delivers by default, https only, with the documented defaults', () => {
    expect(check({})).toMatchObject({
      WEBHOOK_DELIVERY: true,
      WEBHOOK_ALLOW_HTTP_LOCALHOST: false,
      WEBHOOK_TIMEOUT_MS: 10_000,
      WEBHOOK_MAX_ATTEMPTS: 10,
      WEBHOOK_BACKOFF_BASE_MS: 2_000,
      WEBHOOK_BACKOFF_MAX_MS: 600_000,
      FEED_KAFKA_RELAY: true,
      FEED_KAFKA_RETENTION_MS: 30 * 86_400_000,
    });
    expect(check({ WEBHOOK_ALLOW_HTTP_LOCALHOST: 'true', FEED_KAFKA_RELAY: 'off' })).toMatchObject({
      WEBHOOK_ALLOW_HTTP_LOCALHOST: true,
      FEED_KAFKA_RELAY: false,
    });
  });

  it('refuses a malformed setting, naming it', () => {
    expect(() => check({ WEBHOOK_DELIVERY: 'maybe' })).toThrow(/WEBHOOK_DELIVERY/);
    expect(() => check({ WEBHOOK_MAX_ATTEMPTS: '0' })).toThrow(/WEBHOOK_MAX_ATTEMPTS/);
  });
});
