import { Module } from '@nestjs/common';
import { AgreementsController } from './api/agreements.controller';
import { ActivateEmergencyTermsHandler } from './application/activate-emergency-terms/activate-emergency-terms.handler';
import { AmendAgreementHandler } from './application/amend-agreement/amend-agreement.handler';
import { GrantAgreementHandler } from './application/grant-agreement/grant-agreement.handler';
import { GetAgreementHandler, ListAgreementsHandler } from './application/read-agreements/read-agreements.handler';
import { RevokeAgreementHandler } from './application/revoke-agreement/revoke-agreement.handler';
import { AgreementPipeline } from './infrastructure/agreement-pipeline';
import { PgAgreementStreams } from './infrastructure/pg-agreement-streams';

@Module({
  controllers: [AgreementsController],
  providers: [
    PgAgreementStreams,
    AgreementPipeline,
    GrantAgreementHandler,
    AmendAgreementHandler,
    RevokeAgreementHandler,
    ActivateEmergencyTermsHandler,
    ListAgreementsHandler,
    GetAgreementHandler,
  ],
})
export class AgreementsModule {}
