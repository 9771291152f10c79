import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { DomainException, Public } from '@app/common';
import type { EnvironmentVariables } from '@app/config';
import { MetricsService } from './metrics.service';

// Public to the operator auth guard; when METRICS_TOKEN is set, the scraper must
// send `Authorization: Bearer <METRICS_TOKEN>`.
@Public()
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  private readonly tokenDigest: Buffer | undefined;

  constructor(
    private readonly metrics: MetricsService,
    config: ConfigService<EnvironmentVariables, true>,
  ) {
    const token = config.get('METRICS_TOKEN', { infer: true });
    this.tokenDigest = token ? digest(token) : undefined;
  }

  @Get()
  async scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    if (this.tokenDigest && !this.authorized(authorization)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new DomainException({
        code: 'METRICS_UNAUTHENTICATED',
        kind: 'unauthenticated',
        message: 'This endpoint needs the metrics bearer token',
      });
    }
    const body = await this.metrics.render();
    res.setHeader('Content-Type', this.metrics.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).send(body);
  }

  private authorized(header: string | undefined): boolean {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match || !this.tokenDigest) return false;
    return timingSafeEqual(digest(match[1]), this.tokenDigest);
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
