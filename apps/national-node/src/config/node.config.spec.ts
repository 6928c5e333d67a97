import { validateEnvironment } from '@caravanserai/platform';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeConfig } from './node.config';

/** A node without a usable signing key does not start; the error names the setting and the cause. */
describe('NodeConfig signing key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'node-config-'));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const ed25519 = write('ok.pem', generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const rsa = write('rsa.pem', generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const check = (env: Record<string, string>) => validateEnvironment(NodeConfig)({ NODE_STATE: 'AF', ...env });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts with an Ed25519 PKCS#8 key and a key id', () => {
    expect(check({ NODE_SIGNING_KEY_FILE: ed25519, NODE_SIGNING_KEY_ID: 'af-2026-11' })).toMatchObject({ NODE_SIGNING_KEY_ID: 'af-2026-11' });
  });

  it.each([
    ['no key at all', {}, /NODE_SIGNING_KEY_FILE=null: required: a file path/],
    ['a missing file', { NODE_SIGNING_KEY_FILE: join(dir, 'nope.pem') }, /NODE_SIGNING_KEY_FILE="[^"]*nope\.pem": cannot read [^ ]*nope\.pem: ENOENT/],
    ['not a key', { NODE_SIGNING_KEY_FILE: write('junk.pem', 'hello') }, /junk\.pem is not a PEM private key/],
    ['an RSA key', { NODE_SIGNING_KEY_FILE: rsa }, /rsa\.pem holds a rsa key, not an Ed25519 key/],
  ])('refuses %s, naming the setting', (_what, env, message) => {
    expect(() => check({ NODE_SIGNING_KEY_ID: 'af-1', ...env })).toThrow(message);
  });

  it('refuses a missing or malformed key id', () => {
    expect(() => check({ NODE_SIGNING_KEY_FILE: ed25519 })).toThrow(/NODE_SIGNING_KEY_ID=null/);
    expect(() => check({ NODE_SIGNING_KEY_FILE: ed25519, NODE_SIGNING_KEY_ID: 'a b' })).toThrow(/NODE_SIGNING_KEY_ID="a b": 1-64 of/);
  });

  it('signs one by one unless NODE_SIGNATURE_VERSION=2 (batch signatures); nothing else', () => {
    const env = { NODE_SIGNING_KEY_FILE: ed25519, NODE_SIGNING_KEY_ID: 'af-1' };
    expect(check(env).NODE_SIGNATURE_VERSION).toBe(1);
    expect(check({ ...env, NODE_SIGNATURE_VERSION: '2' }).NODE_SIGNATURE_VERSION).toBe(2);
    expect(() => check({ ...env, NODE_SIGNATURE_VERSION: '3' })).toThrow(/NODE_SIGNATURE_VERSION/);
  });
});
