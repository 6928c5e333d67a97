import { authProviders, PrincipalResolver } from '@caravanserai/platform';
import { Global, Module } from '@nestjs/common';
import { PG_POOL } from '../infrastructure/tokens';
import { REGISTRY_CHANGES } from '../agreements/infrastructure/pg-agreement-registry';

/** API-key authentication on every route but health (docs/authentication.md); controllers ask
 * PrincipalResolver for the caller, and agreements decide what that caller sees. The key lookup also
 * reads the registry's change counter, so that a repeated question skips re-reading the grants
 * while nothing changed (PgAgreementRegistry.grantsWithRelease). */
@Global()
@Module({
  providers: authProviders(PG_POOL, REGISTRY_CHANGES),
  exports: [PrincipalResolver],
})
export class AuthModule {}
