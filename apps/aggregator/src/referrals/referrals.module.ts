import { Module } from '@nestjs/common';
import { ReferralSummaryController } from './api/referral-summary.controller';
import { QueryReferralSummaryHandler } from './application/query-referral-summary/query-referral-summary.handler';
import { PgReferralSummaryReader } from './infrastructure/pg-referral-summary-reader';

@Module({ controllers: [ReferralSummaryController], providers: [PgReferralSummaryReader, QueryReferralSummaryHandler] })
export class ReferralsModule {}
