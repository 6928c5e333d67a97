import { Global, Module } from '@nestjs/common';
import { AuditController } from './api/audit.controller';
import { AuditLog } from './domain/audit-log.port';
import { AuditTrail } from './application/audit-trail';
import { PgAuditLog } from './infrastructure/pg-audit-log';

/** The audit trail, global so that every endpoint that answers a query can record it with one call. */
@Global()
@Module({
  controllers: [AuditController],
  providers: [{ provide: AuditLog, useClass: PgAuditLog }, AuditTrail],
  exports: [AuditTrail, AuditLog],
})
export class AuditModule {}
