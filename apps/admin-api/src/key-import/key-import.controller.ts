import { Body, Controller, Get, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { auditContextFrom } from '@app/audit';
import { DomainException } from '@app/common';
import {
  type ClientKeyConfig,
  ClientConfigError,
  KeyImportService,
  normalizeClientConfig,
} from '@app/key-import';
import { CurrentPrincipal, type Principal } from '@app/operators';
import { DiscoveryDto, ImportConsumerKeyRequestDto, ImportedConsumerKeyDto } from './key-import.dto';

// Admins and assigned operators import (only admins when the application is new);
// auditors cannot (POST). Discovery is a read, open to everyone who sees the account.
@ApiTags('consumer-keys')
@ApiBearerAuth()
@Controller('accounts/:accountId/consumer-keys')
export class KeyImportController {
  constructor(private readonly keyImport: KeyImportService) {}

  @Post('import')
  @ApiCreatedResponse({
    type: ImportedConsumerKeyDto,
    description: 'The key, validated upstream and now managed (origin "imported")',
  })
  async import(
    @Req() req: Request,
    @CurrentPrincipal() principal: Principal,
    @Param('accountId') accountId: string,
    @Body() body: ImportConsumerKeyRequestDto,
  ): Promise<ImportedConsumerKeyDto> {
    const fromConf = body.ovhConf !== undefined;
    if (
      fromConf &&
      [body.endpoint, body.applicationKey, body.applicationSecret, body.consumerKey].some(Boolean)
    ) {
      throw configInvalid('send either ovhConf or the four key fields, not both');
    }
    const config = fromConf ? this.keyImport.parseConf(body.ovhConf as string) : tripleOf(body);
    const result = await this.keyImport.importKey(
      principal,
      {
        accountId,
        config,
        source: fromConf ? 'ovh.conf' : 'triple',
        label: body.label,
        validitySeconds: body.validitySeconds,
      },
      auditContextFrom(req),
    );
    return { ...result.key, applicationRegistered: result.applicationRegistered };
  }

  @Get(':id/discovery')
  @ApiOkResponse({
    type: DiscoveryDto,
    description: "The account's credentials of the same application, as OVHcloud lists them",
  })
  discovery(
    @Req() req: Request,
    @CurrentPrincipal() principal: Principal,
    @Param('accountId') accountId: string,
    @Param('id') id: string,
  ): Promise<DiscoveryDto> {
    return this.keyImport.discover(principal, accountId, id, auditContextFrom(req));
  }
}

function tripleOf(body: ImportConsumerKeyRequestDto): ClientKeyConfig {
  try {
    return normalizeClientConfig(body);
  } catch (e) {
    if (!(e instanceof ClientConfigError)) throw e;
    throw configInvalid(
      `${e.message} (send endpoint, applicationKey, applicationSecret and consumerKey, or ovhConf)`,
    );
  }
}

function configInvalid(message: string): DomainException {
  return new DomainException({ code: 'KEY_IMPORT_CONFIG_INVALID', kind: 'invalid', message });
}
