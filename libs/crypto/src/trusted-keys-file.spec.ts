import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@caravanserai/testing';
import { EnvelopeSigner } from './envelope-signature';
import { loadTrustedKeys, TrustedKeysFile } from './trusted-keys-file';

/** The trust file on a real file system: loaded, checked, and reloaded when the operator edits it. */
describe('TrustedKeysFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trusted-keys-'));
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const signed = new EnvelopeSigner(privateKey, 'af-1').sign({ provider: 'AF', recordedAt: '2026-11-02T10:00:00Z', data: {} });
  const quiet = { log: () => undefined, error: () => undefined };
  const write = (path: string, keys: unknown[]) => {
    // Replaced by rename, as editors and the CLI do.
    writeFileSync(`${path}.tmp`, JSON.stringify({ keys }));
    renameSync(`${path}.tmp`, path);
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the file and the problem when it cannot be used', () => {
    expect(() => loadTrustedKeys(join(dir, 'missing.json'))).toThrow(`cannot read ${join(dir, 'missing.json')}: ENOENT`);
    writeFileSync(join(dir, 'bad.json'), '{"keys": [');
    expect(() => loadTrustedKeys(join(dir, 'bad.json'))).toThrow(/bad\.json is not JSON/);
    writeFileSync(join(dir, 'wrong.json'), JSON.stringify({ keys: [{ keyId: 'x', state: 'AF', publicKey: pem, status: 'retired' }] }));
    expect(() => loadTrustedKeys(join(dir, 'wrong.json'))).toThrow(/wrong\.json: keys\[0\]\.retiredAt/);
  });

  it('follows the operator: a key revoked in the file stops verifying, a broken edit changes nothing', async () => {
    const path = join(dir, 'trusted.json');
    write(path, [{ keyId: 'af-1', state: 'AF', publicKey: pem, status: 'active' }]);
    const file = new TrustedKeysFile(path, quiet);
    file.watch(20);
    try {
      expect(file.verify(signed)).toEqual({ ok: true, keyId: 'af-1' });

      write(path, [{ keyId: 'af-1', state: 'AF', publicKey: pem, status: 'revoked' }]);
      await until(() => file.loads === 2, 'the revocation reloaded');
      expect(file.verify(signed)).toMatchObject({ ok: false, code: 'KEY.REVOKED' });

      writeFileSync(path, '{ oops');
      await until(() => file.lastError !== null, 'the broken edit seen');
      expect(file.lastError).toMatch(/not JSON/);
      expect(file.verify(signed)).toMatchObject({ ok: false, code: 'KEY.REVOKED' });

      write(path, []);
      await until(() => file.loads === 3, 'the emptied file reloaded');
      expect(file.lastError).toBeNull();
      expect(file.verify(signed)).toMatchObject({ ok: false, code: 'KEY.UNKNOWN' });
    } finally {
      file.close();
    }
  });
});

const until = (probe: () => boolean, what: string) => waitFor(probe, { timeoutMs: 10_000, intervalMs: 20, what });
