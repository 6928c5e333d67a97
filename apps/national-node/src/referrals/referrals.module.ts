import { Module } from '@nestjs/common';
import { ReferralsController } from './api/referrals.controller';
import { ChangeReferralHandler } from './application/change-referral/change-referral.handler';
import { GetReferralHandler } from './application/get-referral/get-referral.handler';
import { RecordReferralsHandler } from './application/record-referrals/record-referrals.handler';
import { PgRecordedMovements } from './infrastructure/pg-recorded-movements';

@Module({
  controllers: [ReferralsController],
  providers: [PgRecordedMovements, RecordReferralsHandler, ChangeReferralHandler, GetReferralHandler],
})
export class ReferralsModule {}
