import { Global, Module } from '@nestjs/common';
import { SecretariatLog } from '../kernel/ports/secretariat-log';
import { PgSecretariatLog } from './infrastructure/pg-secretariat-log';

/** The aggregator's own signed event log, which the contingency and emergency contexts write
 * (through the kernel's SecretariatLog port; global, so they need not import this module). */
@Global()
@Module({
  providers: [PgSecretariatLog, { provide: SecretariatLog, useExisting: PgSecretariatLog }],
  exports: [SecretariatLog],
})
export class SecretariatModule {}
