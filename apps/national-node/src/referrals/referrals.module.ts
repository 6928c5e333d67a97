import { Module } from '@nestjs/common';
import { ReferralsController } from './api/referrals.controller';
import { ChangeReferralHandler } from './application/change-referral/change-referral.handler';
import { GetReferralHandler } from './application/get-referral/get-referral.handler';
import { RecordReferralsHandler } from './application/record-referrals/record-referrals.handler';

@Module({
  controllers: [ReferralsController],
  providers: [RecordReferralsHandler, ChangeReferralHandler, GetReferralHandler],
})
export class ReferralsModule {}
