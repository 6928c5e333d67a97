import { ApiKeyAuthenticator, authProviders, PrincipalResolver } from '@caravanserai/platform';
import { Global, Module } from '@nestjs/common';
import { Pool } from 'pg';
import { PG_POOL } from '../infrastructure/tokens';
import { RequestRoundTrips } from '../infrastructure/request-round-trips';

/** API-key authentication on every route but health (docs/authentication.md); controllers ask
 * PrincipalResolver for the caller, and agreements decide what that caller sees. The key lookup also
 * reads the registry's change counter, so that a repeated question skips re-reading the grants
 * while nothing changed (PgAgreementRegistry.grantsWithRelease), and it shares its statements with
 * the audit trail's inserts (RequestRoundTrips, also used by PgAuditLog). */
@Global()
@Module({
  providers: [
    ...authProviders(PG_POOL, {
      inject: [PG_POOL, RequestRoundTrips],
      useFactory: (db: Pool, trips: RequestRoundTrips) => new ApiKeyAuthenticator(db, (keyId) => trips.lookupKey(keyId)),
    }),
  ],
  exports: [PrincipalResolver],
})
export class AuthModule {}
