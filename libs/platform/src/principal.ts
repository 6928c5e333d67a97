import { DomainError } from '@caravanserai/contracts';
import type { FastifyRequest } from 'fastify';

/** Who is calling: `secretariat`, `state:XX` or `org:NAME`. */
export interface Principal {
  id: string;
}

/**
 * How a request is tied to a principal. For now the caller names itself in a header; real
 * authentication replaces this class (and only this class) in its own issue.
 */
export abstract class PrincipalResolver {
  abstract resolve(request: FastifyRequest): Principal | null;

  /** The caller, or 401 when it has not said who it is. */
  require(request: FastifyRequest): Principal {
    const principal = this.resolve(request);
    if (!principal) {
      throw new DomainError('PRINCIPAL.MISSING', `say who is asking with the ${PRINCIPAL_HEADER} header: secretariat, state:XX or org:NAME`, 'unauthorized');
    }
    return principal;
  }
}

export const PRINCIPAL_HEADER = 'x-caravanserai-principal';
const PRINCIPAL_PATTERN = /^(secretariat|state:[A-Z]{2}|org:[A-Z0-9_-]{2,64})$/;

export class HeaderPrincipalResolver extends PrincipalResolver {
  resolve(request: FastifyRequest): Principal | null {
    const value = request.headers[PRINCIPAL_HEADER];
    if (typeof value !== 'string' || value === '') return null;
    if (!PRINCIPAL_PATTERN.test(value)) {
      throw new DomainError('PRINCIPAL.INVALID', `${PRINCIPAL_HEADER} must be secretariat, state:XX or org:NAME`, 'bad_request');
    }
    return { id: value };
  }
}
