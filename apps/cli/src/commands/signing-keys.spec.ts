import { EnvelopeSigner, loadTrustedKeys, readPrivateKey } from '@caravanserai/crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signingKeysCommand as cmd } from './signing-keys';

/** The operator's key tool on a real file system: what it writes, the node and aggregator load. */
describe('npm run cli -- signing-keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-signing-'));
  const trust = join(dir, 'trusted-node-keys.json');
  const envelope = (recordedAt: string) => ({ provider: 'AF', recordedAt, data: { n: 1 } });
  let out: string[];
  beforeEach(() => {
    out = [];
    jest.spyOn(console, 'log').mockImplementation((m: string) => void out.push(m));
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('create writes a private key only its owner can read, and a trust entry the aggregator accepts', async () => {
    expect(await cmd.run('create', ['--state', 'AF', '--key-id', 'af-2026-05', '--out', join(dir, 'keys'), '--trust-file', trust])).toBe(0);
    const keyFile = join(dir, 'keys', 'af-2026-05.pem');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(out[0])).toMatchObject({ keyId: 'af-2026-05', state: 'AF', status: 'active', publicKey: expect.stringContaining('BEGIN PUBLIC KEY') });
    const signed = new EnvelopeSigner(readPrivateKey(keyFile), 'af-2026-05').sign(envelope('2026-05-02T00:00:00Z'));
    expect(loadTrustedKeys(trust).verify(signed)).toEqual({ ok: true, keyId: 'af-2026-05' });
  });

  it('refuses to overwrite a key, an unknown state and a duplicate trust entry', async () => {
    await expect(cmd.run('create', ['--state', 'AF', '--key-id', 'af-2026-05', '--out', join(dir, 'keys')])).rejects.toThrow(/exists; not overwritten/);
    await expect(cmd.run('create', ['--state', 'XX', '--key-id', 'xx-1', '--out', join(dir, 'keys')])).rejects.toThrow(/--state: one of/);
    await expect(cmd.run('trust', ['--file', trust, '--entry', join(dir, 'keys', 'af-2026-05.trusted-key.json')])).rejects.toThrow(/already in the trust file/);
    await expect(cmd.run('create', ['--state', 'AF', '--out', dir])).rejects.toThrow('--key-id is required');
  });

  it('rotates: a new key trusted, the old one retired (what it signed before stays valid), then revoked', async () => {
    expect(await cmd.run('create', ['--state', 'AF', '--key-id', 'af-2026-11', '--out', join(dir, 'keys')])).toBe(0);
    expect(await cmd.run('trust', ['--file', trust, '--entry', join(dir, 'keys', 'af-2026-11.trusted-key.json')])).toBe(0);
    expect(await cmd.run('retire', ['--file', trust, '--key-id', 'af-2026-05', '--at', '2026-11-01T00:00:00Z'])).toBe(0);
    const old = new EnvelopeSigner(readPrivateKey(join(dir, 'keys', 'af-2026-05.pem')), 'af-2026-05');
    expect(loadTrustedKeys(trust).verify(old.sign(envelope('2026-10-31T12:00:00Z')))).toMatchObject({ ok: true });
    expect(loadTrustedKeys(trust).verify(old.sign(envelope('2026-11-02T12:00:00Z')))).toMatchObject({ code: 'KEY.RETIRED' });

    expect(await cmd.run('revoke', ['--file', trust, '--key-id', 'af-2026-05'])).toBe(0);
    expect(loadTrustedKeys(trust).verify(old.sign(envelope('2026-10-31T12:00:00Z')))).toMatchObject({ code: 'KEY.REVOKED' });
    await expect(cmd.run('retire', ['--file', trust, '--key-id', 'af-2026-05'])).rejects.toThrow(/revoked; it cannot be retired/);
    await expect(cmd.run('revoke', ['--file', trust, '--key-id', 'nope'])).rejects.toThrow(/not in the trust file/);

    out = [];
    expect(await cmd.run('list', ['--file', trust])).toBe(0);
    expect(out.map((l) => l.split('\t').slice(0, 3).join(' '))).toEqual(['af-2026-05 AF revoked', 'af-2026-11 AF active']);
    expect(JSON.parse(readFileSync(trust, 'utf8')).keys[0].retiredAt).toBe('2026-11-01T00:00:00.000Z');
  });

  it('says what it knows for an unknown action', async () => {
    expect(await cmd.run('rotate', [])).toBe(2);
  });
});
