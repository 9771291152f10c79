import { Inject, Injectable, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { METRICS_OPTIONS, type MetricsOptions, MetricsService } from './metrics.service';

// Requests no route matched (scanners, typos) share one label.
export const UNMATCHED_ROUTE = 'unmatched';

// Counts every answered request on the app's HTTP server by route *template*
// (`/api/v1/operators/:id`), read once the response is done, so 401s from guards,
// 404s and requests served outside Nest's router (the relay's raw handler,
// grouped by `pathGroups`) are all counted. A client that hangs up before the
// answer is recorded as status 499.
@Injectable()
export class HttpMetricsRecorder implements OnApplicationBootstrap {
  private readonly groups: string[];

  constructor(
    private readonly metrics: MetricsService,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
    @Optional() @Inject(METRICS_OPTIONS) options?: MetricsOptions,
  ) {
    this.groups = options?.pathGroups ?? [];
  }

  onApplicationBootstrap(): void {
    const server = this.adapterHost?.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server || typeof server.prependListener !== 'function') return;
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => this.observe(req, res));
  }

  observe(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    // 'close' comes once per response, after 'finish' when the answer was sent in full.
    res.once('close', () => {
      const status = res.writableFinished ? res.statusCode : 499;
      this.metrics.httpRequest(req.method, routeLabel(req, this.groups), status, performance.now() - started);
    });
  }
}

type ExpressRoute = { path?: unknown; methods?: Record<string, boolean> };

export function routeLabel(req: IncomingMessage, groups: readonly string[] = []): string {
  const r = req as IncomingMessage & { route?: ExpressRoute; baseUrl?: string };
  const path = r.route?.path;
  if (typeof path === 'string' && path !== '' && !isMiddlewareMount(r.route))
    return `${r.baseUrl ?? ''}${path}`;
  const url = req.url ?? '';
  for (const g of groups) {
    if (url === g || url.startsWith(`${g}/`) || url.startsWith(`${g}?`)) return `${g}/*`;
  }
  return UNMATCHED_ROUTE;
}

// Nest mounts middleware as all-method wildcard routes (`/api/v1/{*path}`, one
// entry per HTTP method in Express 5), which also set req.route; a request that
// ends there matched no handler.
function isMiddlewareMount(route: ExpressRoute | undefined): boolean {
  const path = String(route?.path ?? '');
  const methods = route?.methods ?? {};
  const everyMethod = methods._all === true || Object.keys(methods).length > 10;
  return everyMethod && /(\{\*\w*\}|\*)$/.test(path);
}
