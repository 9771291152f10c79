import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

// The dashboard is a static bundle (apps/dashboard, built into apps/admin-api/public).
// Its assets are served under /assets and index.html answers every other browser GET
// outside the API's own prefixes, so client-side routes (/accounts/…) survive a reload.
// The dashboard talks to /api/v1 only; nothing here is an API of its own.
const RESERVED = /^\/(api|docs|health|metrics|assets)(\/|$|-)/;

export interface DashboardOptions {
  // Folder holding index.html and assets/ (default: apps/admin-api/public of the repository).
  dir?: string;
  // Where browsers reach the relay, for the console's calls and the grant snippets.
  relayUrl?: (req: Request) => string | undefined;
}

export function defaultDashboardDir(from = __dirname): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'apps')))
      return join(dir, 'apps', 'admin-api', 'public');
    const parent = dirname(dir);
    if (parent === dir) return resolve('apps', 'admin-api', 'public');
    dir = parent;
  }
}

function originOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

export function contentSecurityPolicy(relayOrigin: string | null): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${relayOrigin ? ` ${relayOrigin}` : ''}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const escapeAttr = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Dashboard not built</title></head>
<body><h1>The dashboard is not built</h1><p>Run <code>npm run build:dashboard</code> (or <code>npm run build</code>) and reload.
The admin API is at <a href="/docs">/docs</a>.</p></body></html>`;

export function serveDashboard(app: NestExpressApplication, options: DashboardOptions = {}): void {
  const dir = options.dir ?? defaultDashboardDir();
  let cachedIndex: string | null = null;
  const readIndex = (): string | null => {
    if (cachedIndex !== null) return cachedIndex;
    const file = join(dir, 'index.html');
    if (!existsSync(file)) return null;
    // Read once in production; every time in development so a rebuild shows at once.
    const html = readFileSync(file, 'utf8');
    if (process.env.NODE_ENV === 'production') cachedIndex = html;
    return html;
  };

  app.useStaticAssets(join(dir, 'assets'), {
    prefix: '/assets',
    index: false,
    dotfiles: 'ignore',
    fallthrough: true,
    maxAge: '1d',
    setHeaders: (res) => res.setHeader('X-Content-Type-Options', 'nosniff'),
  });

  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || RESERVED.test(req.path)) return next();
    // Files the bundle does not have (favicon.ico, robots.txt…) get the API's 404, not the app.
    if (/\.[a-z0-9]+$/i.test(req.path)) return next();
    if (!req.accepts('html')) return next();
    const relayUrl = options.relayUrl?.(req);
    const html = readIndex();
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(originOf(relayUrl)));
    if (!html) {
      res.status(503).send(NOT_BUILT);
      return;
    }
    const meta = relayUrl ? `<meta name="broker-relay-url" content="${escapeAttr(relayUrl)}" />\n    ` : '';
    res.status(200).send(meta ? html.replace('<title>', `${meta}<title>`) : html);
  });
}

// RELAY_PUBLIC_URL when set; otherwise the host the browser used, on RELAY_PORT.
export function relayUrlFromConfig(
  publicUrl: string | undefined,
  relayPort: number,
): (req: Request) => string {
  return (req) => {
    if (publicUrl) return publicUrl.replace(/\/+$/, '');
    const host = req.hostname.includes(':') ? `[${req.hostname}]` : req.hostname;
    return `${req.protocol}://${host}:${relayPort}`;
  };
}
