import { createHash } from 'node:crypto';
import { buildTree, leafHash, nodeHash, rootFromPath, treeHash } from './merkle';

// The test vectors of Certificate Transparency's reference code (RFC 6962): these eight leaves and
// the root of each prefix of them, from a tree of one leaf to eight.
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

describe('Merkle hash tree (RFC 6962)', () => {
  it('separates leaves from nodes', () => {
    expect(leafHash(Buffer.alloc(0)).toString('hex')).toBe(
      createHash('sha256')
        .update(Buffer.from([0]))
        .digest('hex'),
    );
    const a = leafHash(LEAVES[1]);
    expect(
      nodeHash(a, a).equals(
        createHash('sha256')
          .update(Buffer.concat([Buffer.from([1]), a, a]))
          .digest(),
      ),
    ).toBe(true);
    expect(treeHash([]).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it.each(ROOTS.map((r, i) => [i + 1, r]))('the root of the first %i reference leaves', (n, root) => {
    const leaves = LEAVES.slice(0, n as number).map(leafHash);
    expect(treeHash(leaves).toString('hex')).toBe(root);
    expect(buildTree(leaves).root.toString('hex')).toBe(root);
  });

  it('every audit path of every tree up to 70 leaves leads to the root, and no other index does (the size is bound by the signed root, not by the path)', () => {
    for (let n = 1; n <= 70; n++) {
      const leaves = Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
      const { root, paths } = buildTree(leaves);
      for (let i = 0; i < n; i++) {
        expect(rootFromPath(leaves[i], i, n, paths[i])?.equals(root)).toBe(true);
        if (n > 1) expect(rootFromPath(leaves[i], (i + 1) % n, n, paths[i])?.equals(root) ?? false).toBe(false);
      }
    }
  });

  it('hashes a leaf given as text as its UTF-8 bytes, and an audit path given as base64url text as the hashes it encodes', () => {
    for (const text of ['', 'leaf', '{"a":"é€😀"}', '\u0000x']) expect(leafHash(text).equals(leafHash(Buffer.from(text, 'utf8')))).toBe(true);
    for (let n = 1; n <= 70; n++) {
      const leaves = Array.from({ length: n }, (_, i) => leafHash(`leaf ${i}`));
      const { root, paths } = buildTree(leaves);
      for (let i = 0; i < n; i++)
        expect(
          rootFromPath(
            leaves[i],
            i,
            n,
            paths[i].map((h) => h.toString('base64url')),
          )?.equals(root),
        ).toBe(true);
    }
    // Not a hash: hashed as the bytes it is, never as a hash it is not.
    const direct = (...parts: Buffer[]) =>
      createHash('sha256')
        .update(Buffer.concat([Buffer.from([1]), ...parts]))
        .digest();
    const h = leafHash('a hash');
    const odd = Buffer.from('short');
    expect(nodeHash(odd, h).equals(direct(odd, h))).toBe(true);
    expect(nodeHash(h, 'not base64url!').equals(direct(h, Buffer.from('not base64url!', 'base64url')))).toBe(true);
    expect(nodeHash(h.toString('base64url'), h).equals(direct(h, h))).toBe(true);
  });

  it('refuses an index out of range, a path too long or too short', () => {
    const leaves = LEAVES.map(leafHash);
    const { root, paths } = buildTree(leaves);
    expect(rootFromPath(leaves[3], 8, 8, paths[3])).toBeNull();
    expect(rootFromPath(leaves[3], -1, 8, paths[3])).toBeNull();
    expect(rootFromPath(leaves[3], 3, 8, [...paths[3], root])).toBeNull();
    expect(rootFromPath(leaves[3], 3, 8, paths[3].slice(1))).toBeNull();
  });
});
