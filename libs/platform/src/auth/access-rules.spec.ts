import type { Principal } from '@caravanserai/credentials';
import { allows } from './access-rules';

const p = (id: string, role: Principal['role']): Principal => ({ id, role });

describe('route access rules', () => {
  it('lets a role in by name, and a role of one principal kind by role:kind', () => {
    expect(allows(['ingest'], p('state:KZ', 'ingest'))).toBe(true);
    expect(allows(['reader'], p('org:UNHCR', 'reader'))).toBe(true);
    expect(allows(['admin', 'reader:secretariat'], p('secretariat', 'reader'))).toBe(true);
    expect(allows(['admin', 'reader:secretariat'], p('admin', 'admin'))).toBe(true);
    expect(allows(['reader:state'], p('state:IR', 'reader'))).toBe(true);
  });

  it('keeps everyone else out', () => {
    expect(allows(['admin'], p('state:KZ', 'ingest'))).toBe(false);
    expect(allows(['ingest'], p('admin', 'admin'))).toBe(false);
    expect(allows(['admin', 'reader:secretariat'], p('state:KZ', 'reader'))).toBe(false);
    expect(allows(['admin', 'reader:secretariat', 'reader:state'], p('org:UNHCR', 'reader'))).toBe(false);
    expect(allows(['reader'], p('admin', 'admin'))).toBe(false);
  });

  it('denies by default: a route that declares nothing lets nobody in', () => {
    expect(allows(undefined, p('admin', 'admin'))).toBe(false);
    expect(allows([], p('secretariat', 'reader'))).toBe(false);
  });

  it('lets any authenticated caller in with any', () => {
    expect(allows(['any'], p('state:KZ', 'ingest'))).toBe(true);
    expect(allows(['any'], p('org:IOM', 'reader'))).toBe(true);
  });
});
