import { DomainError } from '@caravanserai/contracts';
import type { Principal } from '@caravanserai/credentials';
import type { FastifyRequest } from 'fastify';

export type { Principal };

const principals = new WeakMap<object, Principal>();

/** Called by the AuthGuard once the caller's key is checked. */
export function attachPrincipal(request: FastifyRequest, principal: Principal): void {
  principals.set(request, principal);
}

/** The principal the AuthGuard attached to this request, if any (for the access log). */
export function attachedPrincipal(request: FastifyRequest): Principal | null {
  return principals.get(request) ?? null;
}

const readWithKey = new WeakMap<object, unknown>();

/** Called by the AuthGuard: what the service's key lookup read alongside the key (authProviders'
 * `alongside`), in the statement that checked this request's key, after the request arrived. */
export function attachReadWithKey(request: FastifyRequest, value: unknown): void {
  if (value !== undefined && value !== null) readWithKey.set(request, value);
}

/** The value attachReadWithKey kept for this request, or undefined (a public route, or a service
 * that reads nothing alongside). */
export function readWithKeyOf(request: FastifyRequest): unknown {
  return readWithKey.get(request);
}

/** How a controller learns who is calling; the one place that knows where that comes from. */
export abstract class PrincipalResolver {
  abstract resolve(request: FastifyRequest): Principal | null;

  /** The caller, or 401 (the guard has already refused unauthenticated calls on every non-public route). */
  require(request: FastifyRequest): Principal {
    const principal = this.resolve(request);
    if (!principal) throw new DomainError('AUTH.UNAUTHENTICATED', 'missing or invalid credentials: send Authorization: Bearer <api key>', 'unauthorized');
    return principal;
  }
}

/** The principal of the API key the AuthGuard verified for this request. */
export class ApiKeyPrincipalResolver extends PrincipalResolver {
  resolve(request: FastifyRequest): Principal | null {
    return principals.get(request) ?? null;
  }
}
