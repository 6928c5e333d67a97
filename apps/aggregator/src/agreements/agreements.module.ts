import { Global, Module } from '@nestjs/common';
import { AgreementPartiesSource } from '../audit/domain/agreement-parties.port';
import { AgreementsController } from './api/agreements.controller';
import { PgAgreementRegistry } from './infrastructure/pg-agreement-registry';

/** The agreement registry: every data endpoint cuts its answer to it. */
@Global()
@Module({
  controllers: [AgreementsController],
  // The registry also tells the audit trail who is party to each agreement (its port).
  providers: [PgAgreementRegistry, { provide: AgreementPartiesSource, useExisting: PgAgreementRegistry }],
  exports: [PgAgreementRegistry, AgreementPartiesSource],
})
export class AgreementsModule {}
