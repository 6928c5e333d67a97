import type { Principal } from '@caravanserai/credentials';
import type { AuthPolicy } from '@caravanserai/platform';

/** A node takes records only from its own state: an ingest key of another state is refused (403)
 * even if it was, by mistake, issued in this node's database. */
export const ownStateOnly = (state: string): AuthPolicy => ({
  refuse: (p: Principal) => (p.role === 'ingest' && p.id !== `state:${state}` ? `this node takes records from state:${state} only, not ${p.id}` : null),
});
