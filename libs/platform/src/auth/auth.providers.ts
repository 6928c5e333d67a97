import type { Queryable } from '@caravanserai/credentials';
import type { Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyPrincipalResolver, PrincipalResolver } from '../principal';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { AuthGuard } from './auth.guard';

/** What a service's auth module provides: the global guard, the key check on the service's own
 * database (`poolToken`), and the PrincipalResolver controllers ask for the caller. `alongside`: a
 * scalar SQL expression the key lookup also reads, for the routes (readWithKeyOf, principal.ts). */
export function authProviders(poolToken: symbol, alongside?: string): Provider[] {
  return [
    { provide: ApiKeyAuthenticator, inject: [poolToken], useFactory: (db: Queryable) => new ApiKeyAuthenticator(db, alongside) },
    { provide: PrincipalResolver, useClass: ApiKeyPrincipalResolver },
    { provide: APP_GUARD, useClass: AuthGuard },
  ];
}
