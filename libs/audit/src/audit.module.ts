import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditChainService } from './audit-chain.service';
import { AuditEventEntity } from './audit-event.entity';
import { AuditService } from './audit.service';

// Global: any feature records events with AuditService.record(event, manager),
// passing its transaction's manager so the change and its record commit together.
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([AuditEventEntity])],
  providers: [AuditService, AuditChainService],
  exports: [AuditService, AuditChainService],
})
export class AuditModule {}
