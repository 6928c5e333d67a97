import { Global, Module } from '@nestjs/common';
import { AgreementsController } from './api/agreements.controller';
import { PgAgreementRegistry } from './infrastructure/pg-agreement-registry';

/** The agreement registry: every data endpoint cuts its answer to it. */
@Global()
@Module({
  controllers: [AgreementsController],
  providers: [PgAgreementRegistry],
  exports: [PgAgreementRegistry],
})
export class AgreementsModule {}
