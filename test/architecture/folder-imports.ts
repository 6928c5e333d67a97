/** One import between two modules, as dependency-cruiser's JSON reports it. */
export interface ModuleImports {
  source: string;
  dependencies: { resolved: string }[];
}

/**
 * The folders of an app's src (its contexts and its shared pieces) that import each other both
 * ways, each pair once with one import of each direction as evidence. Specs and testing/ folders
 * are left out: they may reach anywhere to set a scene.
 */
export function twoWayFolderImports(modules: readonly ModuleImports[], src: string): { pair: [string, string]; evidence: [string, string] }[] {
  const folderOf = (path: string): string | null => (path.startsWith(`${src}/`) ? (path.slice(src.length + 1).split('/')[0] ?? null) : null);
  const production = (path: string) => !/\.(int-|e2e-)?spec\.ts$/.test(path) && !path.includes('/testing/');
  const edges = new Map<string, string>();
  for (const m of modules) {
    const from = folderOf(m.source);
    if (from === null || !production(m.source) || !m.source.slice(src.length + 1).includes('/')) continue;
    for (const d of m.dependencies) {
      const to = folderOf(d.resolved);
      if (to === null || to === from || !d.resolved.slice(src.length + 1).includes('/')) continue;
      if (!edges.has(`${from}>${to}`)) edges.set(`${from}>${to}`, `${m.source} → ${d.resolved}`);
    }
  }
  const pairs: { pair: [string, string]; evidence: [string, string] }[] = [];
  for (const [key, evidence] of edges) {
    const [a, b] = key.split('>');
    const back = edges.get(`${b}>${a}`);
    if (a < b && back) pairs.push({ pair: [a, b], evidence: [evidence, back] });
  }
  return pairs;
}
