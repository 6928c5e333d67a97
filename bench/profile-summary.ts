import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}
export interface ProfileSummary {
  totalMs: number;
  byModule: { module: string; pct: number }[];
  topFunctions: { fn: string; pct: number }[];
}

/** Where a frame's code lives: a package, a file of this repository, or V8/Node itself. */
function moduleOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const own = /\/dist\/(.+?)\.js$/.exec(url);
  if (own) return own[1];
  if (url.startsWith('node:')) return url;
  return url;
}

/** Self time of a V8 CPU profile, by module and by function. */
export function summariseProfile(file: string, top = 15): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const modules = new Map<string, number>();
  const fns = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') continue;
    total += us;
    const m = moduleOf(url, functionName);
    modules.set(m, (modules.get(m) ?? 0) + us);
    const key = `${functionName || '(anonymous)'} ${m}:${lineNumber + 1}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
  }
  const pct = (us: number) => Math.round((1000 * us) / total) / 10;
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    totalMs: Math.round(total / 1000),
    byModule: sorted(modules).map(([module, us]) => ({ module, pct: pct(us) })),
    topFunctions: sorted(fns).map(([fn, us]) => ({ fn, pct: pct(us) })),
  };
}

if (require.main === module) console.log(JSON.stringify(summariseProfile(process.argv[2], Number(process.argv[3] ?? 25)), null, 2));
