import { PROVIDER_STATES } from '@caravanserai/contracts';
import { EnvelopeSigner, generateSigningKeyPair, Signed, TrustedKeyEntry, TrustedKeyRegistry, loadTrustedKeys } from '@caravanserai/crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A key pair per state in a temporary directory, and the trust file that lists them all as
 * active: what the services need to start (NODE_SIGNING_KEY_FILE / NODE_SIGNING_KEY_ID for a node,
 * TRUSTED_NODE_KEYS_FILE for the aggregator) and what tests need to sign hand-made envelopes.
 */
export class TestSigningKeys {
  readonly trustFile: string;
  private readonly signers = new Map<string, EnvelopeSigner>();
  readonly entries: TrustedKeyEntry[] = [];

  constructor(
    readonly dir: string,
    states: readonly string[] = PROVIDER_STATES,
  ) {
    for (const state of states) {
      const keyId = TestSigningKeys.keyIdOf(state);
      const pair = generateSigningKeyPair();
      const file = join(dir, `${keyId}.pem`);
      writeFileSync(file, pair.privateKeyPem, { mode: 0o600 });
      chmodSync(file, 0o600);
      this.signers.set(state, new EnvelopeSigner(pair.privateKey, keyId));
      this.entries.push({ keyId, state, publicKey: pair.publicKeyPem, status: 'active' });
    }
    this.trustFile = join(dir, 'trusted-node-keys.json');
    writeFileSync(this.trustFile, JSON.stringify({ keys: this.entries }, null, 2));
  }

  static keyIdOf(state: string): string {
    return `${state.toLowerCase()}-test`;
  }

  /** The settings of the node of `state`. */
  nodeEnv(state: string): { NODE_SIGNING_KEY_FILE: string; NODE_SIGNING_KEY_ID: string } {
    const keyId = TestSigningKeys.keyIdOf(state);
    return { NODE_SIGNING_KEY_FILE: join(this.dir, `${keyId}.pem`), NODE_SIGNING_KEY_ID: keyId };
  }

  /** The settings of an aggregator that trusts every key here. */
  aggregatorEnv(): { TRUSTED_NODE_KEYS_FILE: string } {
    return { TRUSTED_NODE_KEYS_FILE: this.trustFile };
  }

  signer(state: string): EnvelopeSigner {
    const signer = this.signers.get(state);
    if (!signer) throw new Error(`no test signing key for ${state}`);
    return signer;
  }

  /** Signs an envelope with its provider's key, as that state's node would. */
  sign<E extends { provider: string }>(envelope: E): E & Signed {
    return this.signer(envelope.provider).sign(envelope);
  }

  /** A registry of the trust file as written. */
  registry(): TrustedKeyRegistry {
    return loadTrustedKeys(this.trustFile);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

let shared: TestSigningKeys | null = null;

/** One set of keys for the whole test process, in a temporary directory removed at exit. */
export function testSigningKeys(): TestSigningKeys {
  if (!shared) {
    const keys = new TestSigningKeys(mkdtempSync(join(tmpdir(), 'caravanserai-keys-')));
    process.once('exit', () => keys.remove());
    shared = keys;
  }
  return shared;
}

/**
 * An envelope signed by its provider's test key (see testSigningKeys), as a node would publish
 * it. What is not an envelope of a known state (the malformed input of a schema test) is
 * returned as it is: unsigned.
 */
export function signed<E>(envelope: E): E {
  const provider = (envelope as { provider?: unknown } | null)?.provider;
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) return envelope;
  if (typeof provider !== 'string' || !(PROVIDER_STATES as readonly string[]).includes(provider)) return envelope;
  return testSigningKeys().sign(envelope as E & { provider: string });
}
