import { DomainError } from '@caravanserai/contracts';
import type { Principal } from '@caravanserai/credentials';
import { CanActivate, ExecutionContext, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ACCESS_RULES, AccessRule, PUBLIC_ROUTE } from './access.decorator';
import { allows } from './access-rules';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { attachPrincipal, attachReadWithKey } from '../principal';

/** A service's own rule on top of the routes' (e.g. a node takes ingest keys of its own state only). */
export interface AuthPolicy {
  /** Why this principal may do nothing here, or null. */
  refuse(principal: Principal): string | null;
}
export const AUTH_POLICY = Symbol('AUTH_POLICY');

export const UNAUTHENTICATED_MESSAGE = 'missing or invalid credentials: send Authorization: Bearer <api key>';

/**
 * The one gate of every route (registered as APP_GUARD). It runs before validation and before any
 * handler, so neither a 401 nor a 403 says anything about whether the resource exists.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: ApiKeyAuthenticator,
    @Optional() @Inject(AUTH_POLICY) private readonly policy?: AuthPolicy,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const { principal, alongside } = await this.authenticate(request);
    if (!principal) {
      void context.switchToHttp().getResponse<FastifyReply>().header('www-authenticate', 'Bearer realm="caravanserai"');
      throw new DomainError('AUTH.UNAUTHENTICATED', UNAUTHENTICATED_MESSAGE, 'unauthorized');
    }
    const refusal = this.policy?.refuse(principal);
    if (refusal) throw new DomainError('AUTH.FORBIDDEN', refusal, 'forbidden');
    if (!allows(this.reflector.getAllAndOverride<AccessRule[]>(ACCESS_RULES, targets), principal)) {
      throw new DomainError('AUTH.FORBIDDEN', `${principal.id} (role ${principal.role}) may not call this endpoint`, 'forbidden');
    }
    attachPrincipal(request, principal);
    attachReadWithKey(request, alongside);
    return true;
  }

  private async authenticate(request: FastifyRequest): Promise<{ principal: Principal | null; alongside?: unknown }> {
    try {
      return await this.authenticator.check(request.headers.authorization);
    } catch (e) {
      this.logger.warn(`cannot check credentials: ${(e as Error).message}`);
      throw new DomainError('AUTH.UNAVAILABLE', 'credentials cannot be checked now; try again', 'unavailable');
    }
  }
}
