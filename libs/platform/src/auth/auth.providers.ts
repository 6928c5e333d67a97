import type { Queryable } from '@caravanserai/credentials';
import type { FactoryProvider, Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyPrincipalResolver, PrincipalResolver } from '../principal';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { AuthGuard } from './auth.guard';

/** What a service's auth module provides: the global guard, the key check on the service's own
 * database (`poolToken`), and the PrincipalResolver controllers ask for the caller. `authenticator`:
 * a service's own way of building the key check (e.g. a key lookup that also reads something for
 * the routes, readWithKeyOf in principal.ts). */
export function authProviders(poolToken: symbol, authenticator?: Omit<FactoryProvider<ApiKeyAuthenticator>, 'provide'>): Provider[] {
  return [
    authenticator
      ? { provide: ApiKeyAuthenticator, ...authenticator }
      : { provide: ApiKeyAuthenticator, inject: [poolToken], useFactory: (db: Queryable) => new ApiKeyAuthenticator(db) },
    { provide: PrincipalResolver, useClass: ApiKeyPrincipalResolver },
    { provide: APP_GUARD, useClass: AuthGuard },
  ];
}
