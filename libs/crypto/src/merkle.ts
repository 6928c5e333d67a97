import { createHash } from 'node:crypto';

/**
 * The Merkle hash tree of RFC 6962 section 2.1 (restated in RFC 9162 section 2.1), SHA-256, with
 * its domain separation: a leaf is hashed as SHA-256(0x00 || leaf), an inner node as
 * SHA-256(0x01 || left || right), so a leaf can never pass for a node. Trees of any size: the
 * left subtree holds the largest power of two below n leaves. Used by the batch signatures
 * (docs/signing.md, signature version 2): one signature over the root, each event carrying its
 * audit path.
 */

const LEAF = Buffer.from([0x00]);
const NODE = Buffer.from([0x01]);

export const leafHash = (leaf: Buffer): Buffer => createHash('sha256').update(LEAF).update(leaf).digest();
/** leafHash of the UTF-8 bytes of `text`, without making them a Buffer first. */
export const leafHashOfText = (text: string): Buffer => createHash('sha256').update(LEAF).update(text, 'utf8').digest();
export const nodeHash = (left: Buffer, right: Buffer): Buffer => createHash('sha256').update(NODE).update(left).update(right).digest();

/** The largest power of two strictly below n (n ≥ 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]) over leaf hashes already computed; the empty tree's hash is SHA-256 of nothing. */
export function treeHash(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest();
  if (leaves.length === 1) return leaves[0];
  const k = split(leaves.length);
  return nodeHash(treeHash(leaves.slice(0, k)), treeHash(leaves.slice(k)));
}

/** The root and every leaf's audit path (RFC 6962 PATH(m, D[n])) in one walk of the tree:
 * O(n log n) hashes are not needed, each inner node is hashed once. */
export function buildTree(leaves: Buffer[]): { root: Buffer; paths: Buffer[][] } {
  const paths: Buffer[][] = leaves.map(() => []);
  const walk = (from: number, to: number): Buffer => {
    if (to - from === 1) return leaves[from];
    const k = split(to - from);
    const left = walk(from, from + k);
    const right = walk(from + k, to);
    // Each leaf of one side needs the other side's hash, appended bottom-up.
    for (let i = from; i < from + k; i++) paths[i].push(right);
    for (let i = from + k; i < to; i++) paths[i].push(left);
    return nodeHash(left, right);
  };
  return { root: leaves.length === 0 ? treeHash([]) : walk(0, leaves.length), paths };
}

/**
 * RFC 9162 section 2.1.3.2, verifying an inclusion proof: the root that `leaf` (a leaf hash) at
 * `index` in a tree of `size` leaves leads to through `path`, or null when the path cannot belong
 * to such a tree (wrong length, index out of range).
 */
export function rootFromPath(leaf: Buffer, index: number, size: number, path: Buffer[]): Buffer | null {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}
