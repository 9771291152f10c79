import { Body, Controller, Get, Headers, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { auditContextFrom } from '@app/audit';
import { ConsumerKeysService } from '@app/consumer-keys';
import { type HygieneReport, HygieneService } from '@app/hygiene';
import { CurrentPrincipal, type Principal } from '@app/operators';
import { ConsumerKeyDto } from '../consumer-keys/consumer-keys.dto';
import { IDEMPOTENCY_HEADER, idempotentReply } from '../consumer-keys/idempotent-reply';
import { HygieneQueryDto, HygieneReportDto, ReplaceConsumerKeyRequestDto } from './hygiene.dto';

// Reports are reads: every role, limited to the accounts the caller sees (operators:
// their assigned accounts; anything else is 404).
@ApiTags('hygiene')
@ApiBearerAuth()
@Controller()
export class HygieneController {
  constructor(private readonly hygiene: HygieneService) {}

  @Get('hygiene')
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: HygieneReportDto, description: 'Across every account the caller sees' })
  async all(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentPrincipal() principal: Principal,
    @Query() q: HygieneQueryDto,
  ): Promise<HygieneReport | string> {
    return this.answer(req, res, await this.hygiene.reportAll(principal, optionsOf(q)), q.format === 'csv');
  }

  @Get('hygiene/export.csv')
  @ApiProduces('text/csv')
  async allCsv(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentPrincipal() principal: Principal,
    @Query() q: HygieneQueryDto,
  ): Promise<HygieneReport | string> {
    return this.answer(req, res, await this.hygiene.reportAll(principal, optionsOf(q)), true);
  }

  @Get('accounts/:accountId/hygiene')
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: HygieneReportDto })
  async account(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentPrincipal() principal: Principal,
    @Param('accountId') accountId: string,
    @Query() q: HygieneQueryDto,
  ): Promise<HygieneReport | string> {
    const report = await this.hygiene.reportAccount(principal, accountId, optionsOf(q));
    return this.answer(req, res, report, q.format === 'csv');
  }

  @Get('accounts/:accountId/hygiene/export.csv')
  @ApiProduces('text/csv')
  async accountCsv(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentPrincipal() principal: Principal,
    @Param('accountId') accountId: string,
    @Query() q: HygieneQueryDto,
  ): Promise<HygieneReport | string> {
    const report = await this.hygiene.reportAccount(principal, accountId, optionsOf(q));
    return this.answer(req, res, report, true);
  }

  private async answer(
    req: Request,
    res: Response,
    report: HygieneReport,
    csv: boolean,
  ): Promise<HygieneReport | string> {
    if (!csv) return report;
    const body = await this.hygiene.exportCsv(report, auditContextFrom(req));
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="credential-hygiene.csv"');
    res.setHeader('Cache-Control', 'no-store');
    return body;
  }
}

// The fix for "grants everything", "no expiry" and "no IP restriction" findings: a
// successor with narrower rules (and optional validity / allowed IPs), revoking this
// key once the customer validates it.
@ApiTags('consumer-keys')
@ApiBearerAuth()
@Controller('accounts/:accountId/consumer-keys')
export class ReplaceConsumerKeyController {
  constructor(private readonly keys: ConsumerKeysService) {}

  @Post(':id/replace')
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiCreatedResponse({ type: ConsumerKeyDto, description: 'The successor, pending validation' })
  async replace(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @CurrentPrincipal() principal: Principal,
    @Param('accountId') accountId: string,
    @Param('id') id: string,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() body: ReplaceConsumerKeyRequestDto,
  ): Promise<ConsumerKeyDto> {
    const result = await this.keys.replace(
      principal,
      accountId,
      id,
      body,
      idempotencyKey,
      auditContextFrom(req),
    );
    return idempotentReply(res, result);
  }
}

function optionsOf(q: HygieneQueryDto) {
  return {
    unusedDays: q.unusedDays,
    expiringSoonDays: q.expiringSoonDays,
    manyKeysThreshold: q.manyKeysThreshold,
  };
}
