import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import {
  contentSecurityPolicy,
  defaultDashboardDir,
  relayUrlFromConfig,
  serveDashboard,
} from './serve-dashboard';

@Controller()
class FakeApiController {
  @Get('api/v1/ping') ping() {
    return { ok: true };
  }
  @Get('health/live') live() {
    return { status: 'ok' };
  }
  @Get('metrics') metrics() {
    return 'metrics';
  }
}

@Module({ controllers: [FakeApiController] })
class FakeModule {}

describe(serveDashboard.name, () => {
  let dir: string;
  let app: NestExpressApplication;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dashboard-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><html><head><title>Broker</title></head><body>app</body></html>',
    );
    writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(dir, '.secret'), 'nope');
    app = await NestFactory.create<NestExpressApplication>(FakeModule, { logger: false });
    serveDashboard(app, { dir, relayUrl: () => 'https://relay.example.net' });
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const html = (path: string) => request(app.getHttpServer()).get(path).set('Accept', 'text/html');

  it('serves index.html at / and at client-side routes, with a strict CSP and the relay URL', async () => {
    for (const path of ['/', '/accounts', '/accounts/0b1c/consumer-keys/new', '/login?next=%2Faudit']) {
      const res = await html(path).expect(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.text).toContain('body>app');
      expect(res.text).toContain('<meta name="broker-relay-url" content="https://relay.example.net" />');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['content-security-policy']).toContain(
        "connect-src 'self' https://relay.example.net",
      );
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('serves the bundled assets', async () => {
    const res = await request(app.getHttpServer()).get('/assets/app.js').expect(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('never shadows the API, health, metrics or docs routes', async () => {
    expect((await html('/api/v1/ping').expect(200)).body).toEqual({ ok: true });
    expect((await html('/health/live').expect(200)).body).toEqual({ status: 'ok' });
    expect((await html('/metrics').expect(200)).text).toBe('metrics');
    for (const path of [
      '/api/v1/nothing',
      '/api',
      '/docs',
      '/docs-json',
      '/health/other',
      '/assets/missing.js',
    ]) {
      const res = await html(path);
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('body>app');
    }
  });

  it('answers only browser GETs: other methods, JSON clients and file-like paths fall through', async () => {
    await request(app.getHttpServer()).post('/accounts').set('Accept', 'text/html').expect(404);
    const json = await request(app.getHttpServer()).get('/accounts').set('Accept', 'application/json');
    expect(json.status).toBe(404);
    expect((await html('/favicon.ico')).status).toBe(404);
    expect((await html('/.secret')).status).toBe(404);
  });

  it('says how to build the dashboard when index.html is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'dashboard-empty-'));
    const bare = await NestFactory.create<NestExpressApplication>(FakeModule, { logger: false });
    serveDashboard(bare, { dir: empty });
    await bare.init();
    try {
      const res = await request(bare.getHttpServer()).get('/').set('Accept', 'text/html').expect(503);
      expect(res.text).toContain('npm run build:dashboard');
    } finally {
      await bare.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('finds the repository public folder from compiled and source locations', () => {
    expect(defaultDashboardDir(__dirname)).toMatch(/apps[\\/]admin-api[\\/]public$/);
    expect(
      defaultDashboardDir(
        join(__dirname, '..', '..', '..', '..', 'dist', 'apps', 'admin-api', 'src', 'dashboard'),
      ),
    ).toBe(defaultDashboardDir(__dirname));
  });

  it('derives the relay URL from RELAY_PUBLIC_URL, else from the request host and RELAY_PORT', async () => {
    expect(relayUrlFromConfig('https://relay.example.net/', 3001)({} as never)).toBe(
      'https://relay.example.net',
    );
    const fromHost = relayUrlFromConfig(
      undefined,
      3001,
    )({ hostname: 'broker.local', protocol: 'http' } as never);
    expect(fromHost).toBe('http://broker.local:3001');
    expect(contentSecurityPolicy(null)).toContain("connect-src 'self';");
  });
});
