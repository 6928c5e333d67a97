import { execFileSync } from 'node:child_process';
import { ModuleImports, twoWayFolderImports } from './folder-imports';

/**
 * Issue 16's layout, held: the folders of each app (its contexts, the shared kernel, the ingest
 * wiring) import each other one way only. dependency-cruiser (npm run lint:boundaries) checks
 * module-level rules; a two-way import between folders is not a module cycle, so it is counted here
 * from its JSON report.
 */
describe('folders of an app import each other one way only', () => {
  it('finds a two-way pair when there is one, and only then', () => {
    const src = 'apps/x/src';
    const m = (source: string, ...to: string[]): ModuleImports => ({ source: `${src}/${source}`, dependencies: to.map((t) => ({ resolved: `${src}/${t}` })) });
    expect(twoWayFolderImports([m('a/api/c.ts', 'b/domain/d.ts'), m('b/domain/d.ts', 'a/domain/e.ts')], src).map((p) => p.pair)).toEqual([['a', 'b']]);
    expect(twoWayFolderImports([m('a/api/c.ts', 'b/domain/d.ts'), m('b/domain/d.spec.ts', 'a/domain/e.ts'), m('b/testing/t.ts', 'a/x.ts')], src)).toEqual([]);
    expect(twoWayFolderImports([m('app.module.ts', 'a/m.ts'), m('a/m.ts', 'app.module.ts')], src)).toEqual([]);
  });

  it.each(['apps/aggregator/src', 'apps/national-node/src'])(
    '%s',
    (src) => {
      const json = execFileSync('npx', ['depcruise', src, '--config', '.dependency-cruiser.js', '--output-type', 'json'], {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      });
      const { modules } = JSON.parse(json) as { modules: ModuleImports[] };
      expect(modules.length).toBeGreaterThan(50);
      expect(twoWayFolderImports(modules, src)).toEqual([]);
    },
    120_000,
  );
});
