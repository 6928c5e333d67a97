import { Module } from '@nestjs/common';
import { FeedsModule } from '../feeds/feeds.module';
import { SecretariatLog } from './infrastructure/pg-secretariat-log';

/** The aggregator's own signed event log, which the contingency and emergency contexts write. */
@Module({
  imports: [FeedsModule],
  providers: [SecretariatLog],
  exports: [SecretariatLog],
})
export class SecretariatModule {}
