import { HeaderPrincipalResolver, PrincipalResolver } from '@caravanserai/platform';
import { Global, Module } from '@nestjs/common';
import { AgreementsController } from './api/agreements.controller';
import { PgAgreementRegistry } from './infrastructure/pg-agreement-registry';

/** The agreement registry and who is asking: every data endpoint uses both. */
@Global()
@Module({
  controllers: [AgreementsController],
  providers: [PgAgreementRegistry, { provide: PrincipalResolver, useClass: HeaderPrincipalResolver }],
  exports: [PgAgreementRegistry, PrincipalResolver],
})
export class AgreementsModule {}
