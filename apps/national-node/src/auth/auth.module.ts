import { AUTH_POLICY, authProviders, PrincipalResolver } from '@caravanserai/platform';
import { Global, Module } from '@nestjs/common';
import { NODE_CONFIG, NodeConfig } from '../config/node.config';
import { PG_POOL } from '../infrastructure/tokens';
import { ownStateOnly } from './own-state.policy';

/** API-key authentication on every route but health (docs/authentication.md). */
@Global()
@Module({
  providers: [...authProviders(PG_POOL), { provide: AUTH_POLICY, inject: [NODE_CONFIG], useFactory: (c: NodeConfig) => ownStateOnly(c.NODE_STATE) }],
  exports: [PrincipalResolver],
})
export class AuthModule {}
