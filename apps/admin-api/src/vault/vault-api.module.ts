import { Module } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { VaultController } from './vault.controller';

// Admin endpoints of the vault (VaultModule itself is imported by AdminApiModule).
@Module({ imports: [AuditModule], controllers: [VaultController] })
export class VaultApiModule {}
