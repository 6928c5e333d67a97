import { Global, Module } from '@nestjs/common';
import { AuditTrail } from '../kernel/ports/audit-trail';
import { AuditController } from './api/audit.controller';
import { AuditLog } from './domain/audit-log.port';
import { AuditLogTrail } from './application/audit-trail';
import { PgAuditLog } from './infrastructure/pg-audit-log';

/** The audit trail, global so that every endpoint that answers a query can record it with one call
 * (through the kernel's AuditTrail port). */
@Global()
@Module({
  controllers: [AuditController],
  providers: [{ provide: AuditLog, useClass: PgAuditLog }, AuditLogTrail, { provide: AuditTrail, useExisting: AuditLogTrail }],
  exports: [AuditTrail],
})
export class AuditModule {}
