import { ownStateOnly } from './own-state.policy';

describe('a node takes records from its own state only', () => {
  const kz = ownStateOnly('KZ');

  it('accepts its own state and its admin', () => {
    expect(kz.refuse({ id: 'state:KZ', role: 'ingest' })).toBeNull();
    expect(kz.refuse({ id: 'admin', role: 'admin' })).toBeNull();
  });

  it('refuses an ingest key of another state, saying which state it takes', () => {
    expect(kz.refuse({ id: 'state:IR', role: 'ingest' })).toBe('this node takes records from state:KZ only, not state:IR');
  });
});
