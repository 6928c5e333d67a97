import { parseTrustedKeys, TrustedKeyEntry } from './trusted-keys';

/** The operator's trust file as written: `{"keys": [...]}`, entries kept as they are. */
export interface TrustFile {
  keys: TrustedKeyEntry[];
}

/** The file with `entry` added; refused if its keyId is taken or the result would not load. */
export function addTrustedKey(file: TrustFile, entry: TrustedKeyEntry): TrustFile {
  if (file.keys.some((k) => k.keyId === entry.keyId)) throw new Error(`key ${entry.keyId} is already in the trust file`);
  return checked({ ...file, keys: [...file.keys, entry] });
}

/**
 * The file with `keyId` retired at `at`: events its node recorded before `at` still verify,
 * later ones do not. A revoked key cannot be retired (that would trust it again).
 */
export function retireTrustedKey(file: TrustFile, keyId: string, at: Date): TrustFile {
  return checked(
    change(file, keyId, (k) => {
      if (k.status === 'revoked') throw new Error(`key ${keyId} is revoked; it cannot be retired`);
      return { ...k, status: 'retired', retiredAt: at.toISOString() };
    }),
  );
}

/** The file with `keyId` revoked: nothing it signed verifies any more. Final. */
export function revokeTrustedKey(file: TrustFile, keyId: string, at: Date): TrustFile {
  return checked(change(file, keyId, (k) => ({ ...k, status: 'revoked', revokedAt: k.revokedAt ?? at.toISOString() })));
}

function change(file: TrustFile, keyId: string, f: (k: TrustedKeyEntry) => TrustedKeyEntry): TrustFile {
  if (!file.keys.some((k) => k.keyId === keyId)) throw new Error(`key ${keyId} is not in the trust file`);
  return { ...file, keys: file.keys.map((k) => (k.keyId === keyId ? f(k) : k)) };
}

function checked(file: TrustFile): TrustFile {
  parseTrustedKeys(file);
  return file;
}
