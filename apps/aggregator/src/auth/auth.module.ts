import { authProviders, PrincipalResolver } from '@caravanserai/platform';
import { Global, Module } from '@nestjs/common';
import { PG_POOL } from '../infrastructure/tokens';

/** API-key authentication on every route but health (docs/authentication.md); controllers ask
 * PrincipalResolver for the caller, and agreements decide what that caller sees. */
@Global()
@Module({
  providers: authProviders(PG_POOL),
  exports: [PrincipalResolver],
})
export class AuthModule {}
