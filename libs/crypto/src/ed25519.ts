import { KeyObject, sign, verify } from 'node:crypto';

/** Ed25519 on libuv's thread pool (Node's callback form of crypto.sign) rather than on the event
 * loop, so that many signatures use every core while the caller's thread goes on (see
 * docs/benchmark.md, "Ed25519 off the event loop"). */
export function signOffThread(bytes: Buffer, key: KeyObject): Promise<Buffer> {
  return new Promise((resolve, reject) => sign(null, bytes, key, (e, s) => (e ? reject(e) : resolve(s))));
}

/** The same for a verification. */
export function verifyOffThread(bytes: Buffer, signature: Buffer, key: KeyObject): Promise<boolean> {
  return new Promise((resolve, reject) => verify(null, bytes, key, signature, (e, ok) => (e ? reject(e) : resolve(ok))));
}
