import { Global, Module } from '@nestjs/common';
import { QuarantineList } from '../kernel/ports/quarantine-list';
import { QuarantineController } from './api/quarantine.controller';
import { PgQuarantineList } from './infrastructure/pg-quarantine-list';

/** The quarantine's listing and replay; global, so node health and the metrics read its counts
 * (the kernel's QuarantineList) without importing this module. */
@Global()
@Module({
  controllers: [QuarantineController],
  providers: [PgQuarantineList, { provide: QuarantineList, useExisting: PgQuarantineList }],
  exports: [QuarantineList],
})
export class QuarantineModule {}
