import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { MetricsService } from './metrics.service';

// Requests no route matched (scanners, typos) share one label.
export const UNMATCHED_ROUTE = 'unmatched';

// Counts every answered request by route *template* (`/api/v1/operators/:id`),
// read once the response is done, so 401s from guards and 404s are counted too.
// A client that hangs up before the answer is recorded as status 499.
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: MetricsService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    // Nest mounts this middleware as a route of its own; if no handler route
    // replaces it by the end, nothing matched.
    const own = routeOf(req);
    res.once('close', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const status = res.writableFinished ? res.statusCode : 499;
      const route = routeOf(req) === own ? UNMATCHED_ROUTE : routeTemplate(req);
      this.metrics.httpRequest(req.method, route, status, ms);
    });
    next();
  }
}

function routeOf(req: Request): { path?: unknown } | undefined {
  return (req as Request & { route?: { path?: unknown } }).route;
}

export function routeTemplate(req: Request): string {
  const path = routeOf(req)?.path;
  if (typeof path !== 'string' || path === '') return UNMATCHED_ROUTE;
  return `${req.baseUrl ?? ''}${path}`;
}
