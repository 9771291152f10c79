import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { once } from 'node:events';
import { AuditEventEntity, AuditFilters, AuditService } from '@app/audit';
import { Roles } from '@app/operators';
import { AuditExportQueryDto, AuditListQueryDto, AuditPageDto, AuditQueryDto } from './audit.dto';

const CSV_COLUMNS: (keyof AuditEventEntity)[] = [
  'seq',
  'id',
  'occurredAt',
  'kind',
  'actorType',
  'actorId',
  'actorLabel',
  'action',
  'objectType',
  'objectId',
  'accountId',
  'result',
  'ip',
  'userAgent',
  'requestId',
  'metadata',
  'prevHash',
  'hash',
];

// RFC 4180 quoting, plus a leading quote on values a spreadsheet would run as a formula.
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s =
    value instanceof Date
      ? value.toISOString()
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function filtersOf(q: AuditQueryDto): AuditFilters {
  const { actorType, actorId, action, accountId, objectType, objectId, result, from, to } = q;
  return { actorType, actorId, action, accountId, objectType, objectId, result, from, to };
}

@ApiTags('audit')
@ApiBearerAuth()
@Roles('admin', 'auditor')
@Controller('audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOkResponse({ type: AuditPageDto, description: 'Newest first; keyset pagination by seq' })
  list(@Query() q: AuditListQueryDto): Promise<AuditPageDto> {
    return this.audit.list(filtersOf(q), q.cursor, q.limit ?? 50);
  }

  @Get('export')
  @ApiProduces('application/x-ndjson', 'text/csv')
  @ApiOkResponse({ description: 'Oldest first, streamed' })
  async export(@Query() q: AuditExportQueryDto, @Res() res: Response): Promise<void> {
    const csv = q.format === 'csv';
    res.status(200);
    res.setHeader('Content-Type', csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="audit-events.${csv ? 'csv' : 'ndjson'}"`);
    res.setHeader('Cache-Control', 'no-store');
    if (csv) res.write(`${CSV_COLUMNS.join(',')}\r\n`);
    try {
      for await (const row of this.audit.stream(filtersOf(q))) {
        const line = csv
          ? `${CSV_COLUMNS.map((c) => csvCell(row[c])).join(',')}\r\n`
          : `${JSON.stringify(row)}\n`;
        if (!res.write(line)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
        if (res.destroyed) return;
      }
      res.end();
    } catch {
      // Headers are gone already: cutting the connection tells the client the file is incomplete.
      res.destroy();
    }
  }
}
