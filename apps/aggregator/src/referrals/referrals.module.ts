import { Module } from '@nestjs/common';
import { ReferralSummaryController } from './api/referral-summary.controller';
import { QueryReferralSummaryHandler } from './application/query-referral-summary/query-referral-summary.handler';

@Module({ controllers: [ReferralSummaryController], providers: [QueryReferralSummaryHandler] })
export class ReferralsModule {}
