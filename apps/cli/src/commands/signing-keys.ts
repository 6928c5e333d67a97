import { addTrustedKey, generateSigningKeyPair, retireTrustedKey, revokeTrustedKey, TrustedKeyEntry, TrustFile } from '@caravanserai/crypto';
import { PROVIDER_STATES } from '@caravanserai/contracts';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CliCommand } from './command';

/**
 * `npm run cli -- signing-keys ...`: a node's Ed25519 key pair, and the aggregator's trust file
 * (TRUSTED_NODE_KEYS_FILE) edited by key id. See docs/signing.md for the rotation steps.
 */
export const signingKeysCommand: CliCommand = {
  name: 'signing-keys',
  usage: [
    'signing-keys create --state AF --key-id af-2026-11 --out DIR [--trust-file FILE]',
    'signing-keys trust --file FILE --entry ENTRY.json',
    'signing-keys retire --file FILE --key-id ID [--at 2026-11-30T00:00:00Z]',
    'signing-keys revoke --file FILE --key-id ID [--at 2026-11-30T00:00:00Z]',
    'signing-keys list --file FILE',
  ],
  async run(action, args) {
    const { values } = parseArgs({
      args,
      options: {
        state: { type: 'string' },
        'key-id': { type: 'string' },
        out: { type: 'string' },
        'trust-file': { type: 'string' },
        file: { type: 'string' },
        entry: { type: 'string' },
        at: { type: 'string' },
      },
    });
    const need = (name: keyof typeof values): string => {
      const v = values[name];
      if (!v) throw new Error(`signing-keys ${action}: --${name} is required`);
      return v;
    };
    switch (action) {
      case 'create': {
        const state = need('state').toUpperCase();
        if (!(PROVIDER_STATES as readonly string[]).includes(state)) throw new Error(`--state: one of ${PROVIDER_STATES.join(', ')}`);
        const keyId = need('key-id');
        const out = need('out');
        const pair = generateSigningKeyPair();
        const entry: TrustedKeyEntry = { keyId, state, publicKey: pair.publicKeyPem, status: 'active' };
        // Checked before anything is written: a bad key id leaves no file behind.
        addTrustedKey({ keys: [] }, entry);
        const keyFile = join(out, `${keyId}.pem`);
        const entryFile = join(out, `${keyId}.trusted-key.json`);
        for (const f of [keyFile, entryFile]) if (existsSync(f)) throw new Error(`${f} exists; not overwritten`);
        mkdirSync(out, { recursive: true, mode: 0o700 });
        writeFileSync(keyFile, pair.privateKeyPem, { mode: 0o600, flag: 'wx' });
        writeFileSync(entryFile, `${JSON.stringify(entry, null, 2)}\n`, { flag: 'wx' });
        if (values['trust-file']) editTrustFile(values['trust-file'], (f) => addTrustedKey(f, entry), true);
        console.log(JSON.stringify(entry, null, 2));
        console.error(
          `private key: ${keyFile} (mode 0600; the node's NODE_SIGNING_KEY_FILE, with NODE_SIGNING_KEY_ID=${keyId})\n` +
            `trust entry: ${entryFile}${values['trust-file'] ? ` (added to ${values['trust-file']})` : ' (add it with: signing-keys trust --file FILE --entry ' + entryFile + ')'}`,
        );
        return 0;
      }
      case 'trust': {
        const entry = readJson(need('entry')) as TrustedKeyEntry;
        editTrustFile(need('file'), (f) => addTrustedKey(f, entry), true);
        console.log(`key ${entry.keyId} of ${entry.state} is trusted (${entry.status})`);
        return 0;
      }
      case 'retire':
      case 'revoke': {
        const keyId = need('key-id');
        const at = values.at ? new Date(values.at) : new Date();
        if (Number.isNaN(at.getTime())) throw new Error(`--at: not a date: ${values.at}`);
        editTrustFile(need('file'), (f) => (action === 'retire' ? retireTrustedKey(f, keyId, at) : revokeTrustedKey(f, keyId, at)), false);
        console.log(`key ${keyId} ${action === 'retire' ? `retired at ${at.toISOString()}` : 'revoked'}`);
        return 0;
      }
      case 'list': {
        for (const k of (readJson(need('file')) as TrustFile).keys) {
          console.log([k.keyId, k.state, k.status, k.retiredAt ?? k.revokedAt ?? ''].join('\t'));
        }
        return 0;
      }
      default:
        console.error(`signing-keys: unknown action "${action ?? ''}"; one of create, trust, retire, revoke, list`);
        return 2;
    }
  },
};

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** Rewrites the trust file whole, by rename: the aggregator never reads half a file. */
function editTrustFile(path: string, edit: (f: TrustFile) => TrustFile, createIfMissing: boolean): void {
  const current = createIfMissing && !existsSync(path) ? { keys: [] } : (readJson(path) as TrustFile);
  if (!Array.isArray(current?.keys)) throw new Error(`${path}: expected {"keys": [...]}`);
  const next = edit(current);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(next, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}
