import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AuditService, auditContextFrom } from '@app/audit';
import { Roles } from '@app/operators';
import { VaultRotationService } from '@app/vault';
import { RotateVaultRequestDto, RotationJobDto, VaultStatusDto } from './vault.dto';

@ApiTags('vault')
@ApiBearerAuth()
@Roles('admin')
@Controller('vault')
export class VaultController {
  constructor(
    private readonly rotation: VaultRotationService,
    private readonly audit: AuditService,
  ) {}

  // Which master key protects what; answers while sealed too (it reads no secret).
  @Get('status')
  @ApiOkResponse({ type: VaultStatusDto })
  status(): Promise<VaultStatusDto> {
    return this.rotation.status();
  }

  // Starts (or resumes) a rotation and answers at once; GET /vault/status follows it.
  @Post('rotate')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: RotationJobDto })
  async rotate(@Req() req: Request, @Body() body: RotateVaultRequestDto): Promise<RotationJobDto> {
    const { job } = await this.rotation.start({
      reencrypt: body.reencrypt === true,
      batchSize: body.batchSize,
    });
    await this.audit.record({
      ...auditContextFrom(req),
      action: 'vault.rotation_started',
      objectType: 'vault_rotation_job',
      objectId: job.id,
      result: 'success',
      metadata: {
        reencrypt: job.reencrypt,
        targetMasterKeyId: job.targetMasterKeyId,
        resumed: job.batches > 0,
      },
    });
    return job;
  }
}
