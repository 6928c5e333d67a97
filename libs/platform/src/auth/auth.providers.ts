import type { Queryable } from '@caravanserai/credentials';
import type { Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyPrincipalResolver, PrincipalResolver } from '../principal';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { AuthGuard } from './auth.guard';

/** What a service's auth module provides: the global guard, the key check on the service's own
 * database (`poolToken`), and the PrincipalResolver controllers ask for the caller. */
export function authProviders(poolToken: symbol): Provider[] {
  return [
    { provide: ApiKeyAuthenticator, inject: [poolToken], useFactory: (db: Queryable) => new ApiKeyAuthenticator(db) },
    { provide: PrincipalResolver, useClass: ApiKeyPrincipalResolver },
    { provide: APP_GUARD, useClass: AuthGuard },
  ];
}
