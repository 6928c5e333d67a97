import { PROVIDER_STATES } from '@caravanserai/contracts';

/** The two kinds of service that hold keys; each keeps its own in its own database. */
export const SERVICES = ['node', 'aggregator'] as const;
export type Service = (typeof SERVICES)[number];

export const ROLES: Record<Service, readonly string[]> = {
  node: ['ingest', 'admin'],
  aggregator: ['reader', 'admin'],
};
export type Role = 'ingest' | 'admin' | 'reader';

/** Who a caller is: `state:XX`, `secretariat`, `org:NAME` or `admin` (the operator of one service). */
export interface Principal {
  id: string;
  role: Role;
}

const STATE = new RegExp(`^state:(${PROVIDER_STATES.join('|')})$`);
const ORG = /^org:[A-Z0-9_-]{2,64}$/;

/** Why `principal` may not hold `role` on `service`, or null when it may. One line, for the CLI. */
export function grantProblem(service: string, principal: string, role: string): string | null {
  if (!(SERVICES as readonly string[]).includes(service)) return `service must be one of ${SERVICES.join(', ')} (got "${service}")`;
  const roles = ROLES[service as Service];
  if (!roles.includes(role)) return `role on a ${service} must be one of ${roles.join(', ')} (got "${role}")`;
  if (role === 'admin') return principal === 'admin' ? null : `the admin role belongs to the principal "admin" (got "${principal}")`;
  if (role === 'ingest') {
    return STATE.test(principal) ? null : `the ingest role belongs to state:XX, XX one of ${PROVIDER_STATES.join(', ')} (got "${principal}")`;
  }
  // reader
  return principal === 'secretariat' || STATE.test(principal) || ORG.test(principal)
    ? null
    : `the reader role belongs to secretariat, state:XX or org:NAME (NAME: A-Z 0-9 _ -, 2-64 characters) (got "${principal}")`;
}

/** The kind of a principal, as access rules name it. */
export function principalKind(id: string): 'state' | 'org' | 'secretariat' | 'admin' | 'unknown' {
  if (id === 'secretariat' || id === 'admin') return id;
  if (id.startsWith('state:')) return 'state';
  if (id.startsWith('org:')) return 'org';
  return 'unknown';
}
