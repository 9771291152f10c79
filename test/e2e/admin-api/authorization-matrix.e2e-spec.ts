import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { IS_PUBLIC_KEY } from '@app/common';
import { type OperatorRole, type Principal, roleAllows, ROLES_KEY } from '@app/operators';
import { bearer, createOperator, type TestOperator } from '../../utils/auth';
import { createTestApp, type TestApp } from '../../utils/create-app';
import { EMULATOR_ACCOUNT, EMULATOR_APP, endpointOf, startTestEmulator } from '../../utils/start-emulator';
import type { RunningEmulator } from '../../utils/start-emulator';

// The authorisation matrix of the whole admin API. Routes are not listed here:
// they are read from the running app (express's router for what is really
// served, Nest's metadata for @Public/@Roles), so a route added later is
// covered without editing this file.

// Routes that answer without a token. Anything else that does fails the test.
const PUBLIC_ROUTES = new Set([
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/refresh',
  'POST /api/v1/auth/2fa/verify',
  'POST /api/v1/setup',
  'GET /api/v1/callbacks/consumer-keys/:id',
  'GET /health/live',
  'GET /health/ready',
  'GET /metrics',
  'GET /docs',
  'GET /docs/',
  'GET /docs/index.html',
  'GET /docs/LICENSE',
  'GET /docs/swagger-ui-init.js',
  'GET /docs/docs/swagger-ui-init.js',
  'GET /docs-json',
  'GET /docs-yaml',
]);

// Writes an auditor may make: only on their own session, second factor,
// password and API tokens. Any other non-GET route must answer 403 to an auditor.
const AUDITOR_SELF_SERVICE = new Set([
  'POST /api/v1/auth/logout',
  'POST /api/v1/auth/2fa/enrol',
  'POST /api/v1/auth/2fa/confirm',
  'POST /api/v1/auth/2fa/disable',
  'POST /api/v1/me/password',
  'POST /api/v1/api-tokens',
  'DELETE /api/v1/api-tokens/:id',
]);

// Families that must stay admin-only whatever their decorators say (checked
// against an operator's token); routes found with @Roles('admin') are added.
const ADMIN_ONLY_PATTERNS: RegExp[] = [
  /^[A-Z]+ \/api\/v1\/operators(\/|$)/,
  /^PUT \/api\/v1\/settings\//,
  /^POST \/api\/v1\/applications$/,
  /^POST \/api\/v1\/applications\/:id\/disable$/,
  /^[A-Z]+ \/api\/v1\/webhooks(\/|$)/,
  /^[A-Z]+ \/api\/v1\/vault(\/|$)/,
  /^POST \/api\/v1\/accounts$/,
  /^(PATCH|PUT) \/api\/v1\/accounts\/:id(\/|$)/,
];

// Id families whose objects belong to a delegated account (BOLA: an operator not
// assigned to the account must get 404), and those owned by another operator.
const ACCOUNT_SCOPED = new Set(['account', 'consumerKey', 'grant']);
const OWNER_SCOPED = new Set(['apiToken']);

// Bodies for routes whose schema alone cannot give a valid one (alternative shapes,
// all fields optional): the BOLA probe must get past validation to reach the
// account check.
const BODY_OVERRIDES: Record<string, unknown> = {
  'POST /api/v1/accounts/:accountId/consumer-keys/import': {
    endpoint: 'ovh-eu',
    applicationKey: 'AbCdEfGh12345678',
    applicationSecret: 'A'.repeat(32),
    consumerKey: 'B'.repeat(32),
  },
};

interface Route {
  method: string;
  path: string; // express syntax: /api/v1/accounts/:id
  key: string; // 'GET /api/v1/accounts/:id'
  isPublic: boolean;
  roles?: OperatorRole[];
  nest: boolean;
}

const ALL_METHODS_THRESHOLD = 8;

function normalise(path: string): string {
  return `/${path}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
}

function asArray(v: unknown): string[] {
  if (v === undefined || v === null) return [''];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

// Express's router: what is really served. Route layers answering every method
// are Nest's middleware bindings (forRoutes), not endpoints.
function expressRoutes(t: TestApp): { method: string; path: string }[] {
  const instance = t.app.getHttpAdapter().getInstance() as {
    router?: { stack: unknown[] };
    _router?: { stack: unknown[] };
  };
  const stack = (instance.router ?? instance._router)?.stack ?? [];
  const out: { method: string; path: string }[] = [];
  for (const layer of stack as { route?: { path: unknown; methods: Record<string, boolean> } }[]) {
    if (!layer.route || typeof layer.route.path !== 'string') continue;
    const methods = Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m]);
    if (methods.length >= ALL_METHODS_THRESHOLD) continue;
    for (const m of methods) {
      if (m === '_all') continue;
      out.push({ method: m.toUpperCase(), path: layer.route.path });
    }
  }
  return out;
}

// @Public and @Roles of every Nest handler, by the path it would be served at.
function nestMetadata(t: TestApp): Map<string, { isPublic: boolean; roles?: OperatorRole[] }> {
  const scanner = new MetadataScanner();
  const byKey = new Map<string, { isPublic: boolean; roles?: OperatorRole[] }>();
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const cls = wrapper.metatype as (new (...a: unknown[]) => unknown) | null;
      if (!cls || typeof cls !== 'function') continue;
      const proto = cls.prototype as Record<string, unknown>;
      for (const name of scanner.getAllMethodNames(proto)) {
        const handler = proto[name] as object;
        const methodPath = Reflect.getMetadata(PATH_METADATA, handler) as unknown;
        if (methodPath === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        const isPublic =
          Reflect.getMetadata(IS_PUBLIC_KEY, handler) === true ||
          Reflect.getMetadata(IS_PUBLIC_KEY, cls) === true;
        const roles = (Reflect.getMetadata(ROLES_KEY, handler) ?? Reflect.getMetadata(ROLES_KEY, cls)) as
          OperatorRole[] | undefined;
        for (const base of asArray(Reflect.getMetadata(PATH_METADATA, cls))) {
          for (const sub of asArray(methodPath)) {
            const path = normalise(`${base}/${sub}`);
            for (const served of [path, normalise(`/api/v1${path}`)]) {
              byKey.set(`${method} ${served}`, { isPublic, roles });
            }
          }
        }
      }
    }
  }
  return byKey;
}

function discoverRoutes(t: TestApp): Route[] {
  const meta = nestMetadata(t);
  const seen = new Set<string>();
  const routes: Route[] = [];
  for (const { method, path } of expressRoutes(t)) {
    const key = `${method} ${path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const m = meta.get(key);
    routes.push({
      method,
      path,
      key,
      isPublic: m?.isPublic ?? false,
      roles: m?.roles,
      nest: m !== undefined,
    });
  }
  return routes;
}

const params = (path: string) => [...path.matchAll(/:(\w+)/g)].map((m) => m[1]);

// 'accounts' → 'account', 'consumer-keys' → 'consumerKey', 'api-tokens' → 'apiToken'.
function familyOf(segment: string): string {
  const camel = segment.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase());
  return camel.replace(/ies$/, 'y').replace(/s$/, '');
}

// The family of each id parameter: `:accountId` by its name, `:id` by the
// literal segment before it.
function paramFamilies(path: string): Record<string, string> {
  const out: Record<string, string> = {};
  const segments = path.split('/').filter(Boolean);
  segments.forEach((s, i) => {
    if (!s.startsWith(':')) return;
    const name = s.slice(1);
    out[name] = name === 'id' ? familyOf(segments[i - 1] ?? '') : name.replace(/Id$/, '').replace(/Ids$/, '');
  });
  return out;
}

interface OpenApiSchema {
  $ref?: string;
  type?: string;
  format?: string;
  example?: unknown;
  default?: unknown;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, OpenApiSchema>;
  items?: OpenApiSchema;
  allOf?: OpenApiSchema[];
  minimum?: number;
  minLength?: number;
  minItems?: number;
  nullable?: boolean;
}

jest.setTimeout(180_000);

describe('admin API authorisation matrix (every route, discovered at run time)', () => {
  let t: TestApp;
  let emulator: RunningEmulator;
  let admin: TestOperator;
  let operator: TestOperator;
  let auditor: TestOperator;
  let routes: Route[];
  let openApi: { paths: Record<string, Record<string, { requestBody?: unknown }>>; components?: unknown };
  const ids: Record<string, string> = {};
  const http = () => request(t.app.getHttpServer());

  const call = (r: Route, path: string, token?: string, body?: unknown) => {
    const method = r.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head';
    const req = http()[method](path);
    if (token) req.set(bearer(token));
    if (body !== undefined && !['GET', 'HEAD'].includes(r.method)) req.send(body as object);
    return req;
  };

  const fill = (path: string, pick: (family: string, param: string) => string) => {
    const families = paramFamilies(path);
    return path.replace(/:(\w+)/g, (_m, name: string) => pick(families[name], name));
  };
  const randomIds = (path: string) => fill(path, () => randomUUID());

  function idForField(name: string): string | undefined {
    const family = name.replace(/Ids?$/, '');
    return ids[family];
  }

  function resolveRef(ref: string): OpenApiSchema {
    const parts = ref.replace(/^#\//, '').split('/');
    let node: unknown = openApi;
    for (const p of parts) node = (node as Record<string, unknown>)[p];
    return node as OpenApiSchema;
  }

  // A minimal body that passes validation, built from the OpenAPI schema (only
  // required fields; ids of account B's objects where the field names one).
  function synth(schema: OpenApiSchema | undefined, field = '', depth = 0): unknown {
    if (!schema || depth > 6) return undefined;
    if (schema.$ref) return synth(resolveRef(schema.$ref), field, depth + 1);
    if (schema.allOf) {
      return Object.assign({}, ...schema.allOf.map((s) => synth(s, field, depth + 1) as object));
    }
    if (schema.example !== undefined) return schema.example;
    if (schema.default !== undefined) return schema.default;
    if (schema.enum) return schema.enum[0];
    const known = field ? idForField(field) : undefined;
    switch (schema.type) {
      case 'object':
      case undefined: {
        const out: Record<string, unknown> = {};
        for (const name of schema.required ?? []) {
          out[name] = synth(schema.properties?.[name], name, depth + 1);
        }
        return out;
      }
      case 'array':
        return [synth(schema.items, field, depth + 1)];
      case 'string':
        if (schema.format === 'uuid') return known ?? randomUUID();
        if (schema.format === 'date-time') return new Date(Date.now() + 86_400_000).toISOString();
        if (schema.format === 'email') return 'probe@test.example';
        if (schema.format === 'uri' || schema.format === 'url') return 'https://example.com/';
        return known ?? 'x'.repeat(Math.max(schema.minLength ?? 1, 1));
      case 'integer':
      case 'number':
        return schema.minimum ?? 1;
      case 'boolean':
        return false;
      default:
        return undefined;
    }
  }

  function bodyFor(r: Route): unknown {
    if (r.key in BODY_OVERRIDES) return BODY_OVERRIDES[r.key];
    const openApiPath = r.path.replace(/:(\w+)/g, '{$1}');
    const op = openApi.paths[openApiPath]?.[r.method.toLowerCase()] as
      { requestBody?: { content?: Record<string, { schema?: OpenApiSchema }> } } | undefined;
    const schema = op?.requestBody?.content?.['application/json']?.schema;
    return schema ? synth(schema) : {};
  }

  const asOperator: Principal = { kind: 'operator', operatorId: 'x', role: 'operator', email: 'x' };
  const adminOnly = (r: Route) =>
    !r.isPublic &&
    (ADMIN_ONLY_PATTERNS.some((p) => p.test(r.key)) || !roleAllows(asOperator, r.method, r.roles));

  beforeAll(async () => {
    emulator = await startTestEmulator();
    t = await createTestApp('admin-api', {
      JOBS_ENABLED: 'false',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      PUBLIC_URL: 'http://broker.test',
      LOGIN_MAX_FAILURES_PER_IP: '10000',
    });
    admin = await createOperator(t.app, { role: 'admin' });
    operator = await createOperator(t.app, { role: 'operator' });
    auditor = await createOperator(t.app, { role: 'auditor' });
    routes = discoverRoutes(t);
    openApi = (await http().get('/docs-json').expect(200)).body;

    // Two delegated accounts: the operator is assigned to A, never to B.
    const app = await http()
      .post('/api/v1/applications')
      .set(bearer(admin.token))
      .send({
        label: 'Matrix',
        endpoint: endpointOf(emulator),
        appKey: EMULATOR_APP.applicationKey,
        appSecret: EMULATOR_APP.applicationSecret,
      })
      .expect(201);
    ids.application = app.body.id;
    for (const name of ['A', 'B']) {
      const acc = await http()
        .post('/api/v1/accounts')
        .set(bearer(admin.token))
        .send({ displayName: `Account ${name}` })
        .expect(201);
      ids[`account${name}`] = acc.body.id;
    }
    ids.account = ids.accountB;
    await http()
      .put(`/api/v1/accounts/${ids.accountA}/operators`)
      .set(bearer(admin.token))
      .send({ operatorIds: [operator.operatorId] })
      .expect(200);

    // A validated consumer key in B.
    const ck = await http()
      .post(`/api/v1/accounts/${ids.accountB}/consumer-keys`)
      .set(bearer(admin.token))
      .send({ applicationId: ids.application, presets: [{ id: 'account-identity' }], label: 'B key' })
      .expect(201);
    ids.consumerKey = ck.body.id;
    const upstream = [...emulator.state.credentials.values()].find((c) =>
      c.redirection?.includes(ids.consumerKey),
    );
    emulator.state.validateCredential(upstream?.consumerKey as string, EMULATOR_ACCOUNT.nichandle, null);
    await http()
      .post(`/api/v1/accounts/${ids.accountB}/consumer-keys/${ids.consumerKey}/sync`)
      .set(bearer(admin.token))
      .expect(200);

    // A grant in B, when the app serves grants (issue 7); built through its service.
    try {
      const grants = await import('@app/grants');
      const service = t.app.get(grants.GrantsService, { strict: false });
      const created = await service.create(
        { operatorId: admin.operatorId, role: 'admin' },
        ids.accountB,
        {
          consumerKeyId: ids.consumerKey,
          holder: { type: 'person', name: 'Matrix holder' },
          accessRules: [{ method: 'GET', path: '/me' }],
          ttlSeconds: 3600,
        },
        { actor: { type: 'operator', id: admin.operatorId, label: admin.email } },
      );
      ids.grant = created.grant.id;
    } catch {
      // GrantsModule not in the admin API yet: no grant route will be found either.
    }

    const hook = await http()
      .post('/api/v1/webhooks')
      .set(bearer(admin.token))
      .send({ url: 'http://127.0.0.1:9/hook', events: ['consumer_key.*'] })
      .expect(201);
    ids.webhook = hook.body.id;
    const token = await http()
      .post('/api/v1/api-tokens')
      .set(bearer(admin.token))
      .send({ name: 'admin token', expiresInDays: 1 })
      .expect(201);
    ids.apiToken = token.body.id;
    ids.operator = admin.operatorId;
  });

  afterAll(async () => {
    await t?.close();
    await emulator?.close();
  });

  it('finds the routes of every feature, and every Nest route is served', () => {
    const keys = routes.map((r) => r.key);
    for (const expected of [
      'POST /api/v1/auth/login',
      'GET /api/v1/operators/:id',
      'DELETE /api/v1/api-tokens/:id',
      'GET /api/v1/audit-events',
      'GET /api/v1/accounts/:accountId/consumer-keys/:id',
      'GET /api/v1/webhooks/:id',
    ]) {
      expect(keys).toContain(expected);
    }
    expect(routes.filter((r) => r.nest).length).toBeGreaterThan(40);
    expect(routes.length).toBeGreaterThan(50);
  });

  it('answers 401 without a token, except on the listed public routes', async () => {
    const unexpectedlyPublic: string[] = [];
    for (const r of routes) {
      if (r.isPublic && !PUBLIC_ROUTES.has(r.key)) unexpectedlyPublic.push(`${r.key} (marked @Public)`);
      if (PUBLIC_ROUTES.has(r.key)) continue;
      const res = await call(r, randomIds(r.path), undefined, {});
      if (res.status !== 401 || res.body.code !== 'AUTH_INVALID_TOKEN') {
        unexpectedlyPublic.push(`${r.key} → ${res.status}`);
      } else {
        expect(res.body).toEqual({
          code: 'AUTH_INVALID_TOKEN',
          message: 'The token is missing, invalid, expired or revoked',
          requestId: expect.any(String),
        });
      }
    }
    expect(unexpectedlyPublic).toEqual([]);
  });

  it('refuses an expired-looking, malformed or foreign token the same way on every protected route', async () => {
    const protectedRoutes = routes.filter((r) => !PUBLIC_ROUTES.has(r.key));
    for (const r of protectedRoutes.filter((_, i) => i % 5 === 0)) {
      for (const token of ['oba_notavalidtoken', 'obt_notavalidtoken', 'obr_refreshisnotaccess']) {
        const res = await call(r, randomIds(r.path), token, {});
        expect({ route: r.key, status: res.status, code: res.body.code }).toEqual({
          route: r.key,
          status: 401,
          code: 'AUTH_INVALID_TOKEN',
        });
      }
    }
  });

  it('answers 403 to an auditor on every non-GET route but their own session, password and tokens', async () => {
    const wrong: string[] = [];
    for (const r of routes) {
      if (['GET', 'HEAD'].includes(r.method) || PUBLIC_ROUTES.has(r.key)) continue;
      if (AUDITOR_SELF_SERVICE.has(r.key)) continue;
      const res = await call(
        r,
        fill(r.path, (f) => ids[f] ?? randomUUID()),
        auditor.token,
        {},
      );
      if (res.status !== 403) wrong.push(`${r.key} → ${res.status} ${res.body.code}`);
    }
    expect(wrong).toEqual([]);
    // The self-service list must not grow stale: each entry is a served route.
    const keys = new Set(routes.map((r) => r.key));
    expect([...AUDITOR_SELF_SERVICE].filter((k) => !keys.has(k))).toEqual([]);
  });

  it('answers 403 to an operator on admin-only routes', async () => {
    const targets = routes.filter(adminOnly);
    expect(targets.map((r) => r.key)).toEqual(
      expect.arrayContaining([
        'POST /api/v1/operators',
        'PATCH /api/v1/operators/:id',
        'PUT /api/v1/settings/security',
        'POST /api/v1/applications',
        'POST /api/v1/webhooks',
        'POST /api/v1/vault/rotate',
      ]),
    );
    const wrong: string[] = [];
    for (const r of targets) {
      const res = await call(
        r,
        fill(r.path, (f) => ids[f] ?? randomUUID()),
        operator.token,
        bodyFor(r),
      );
      if (res.status !== 403 || res.body.code !== 'AUTH_FORBIDDEN') {
        wrong.push(`${r.key} → ${res.status} ${res.body.code}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("answers 404 to an operator for account B's objects on every route with an id (BOLA)", async () => {
    const probed: string[] = [];
    const wrong: string[] = [];
    for (const r of routes) {
      if (PUBLIC_ROUTES.has(r.key) || adminOnly(r) || params(r.path).length === 0) continue;
      const families = Object.values(paramFamilies(r.path));
      const scoped = families.some((f) => ACCOUNT_SCOPED.has(f) || OWNER_SCOPED.has(f));
      if (!scoped) continue;
      const missing = families.filter((f) => !ids[f]);
      if (missing.length > 0) {
        // A family this test has no fixture for: add one above (its route is still
        // covered by the 401/403 checks).
        wrong.push(`${r.key}: no fixture id for ${missing.join(', ')}`);
        continue;
      }
      const path = fill(r.path, (f) => ids[f]);
      probed.push(r.key);
      const res = await call(r, path, operator.token, bodyFor(r));
      if (res.status !== 404) wrong.push(`${r.key} → ${res.status} ${JSON.stringify(res.body)}`);
      // Control: the ids are real (an admin does not get 404), so the 404 is the scoping.
      if (r.method === 'GET') {
        const control = await call(r, path, admin.token);
        if (control.status === 404) wrong.push(`${r.key} as admin → 404 (fixture not real?)`);
      }
    }
    expect(wrong).toEqual([]);
    expect(probed).toEqual(
      expect.arrayContaining([
        'GET /api/v1/accounts/:id',
        'GET /api/v1/accounts/:accountId/consumer-keys/:id',
        'POST /api/v1/accounts/:accountId/consumer-keys/:id/revoke',
        'DELETE /api/v1/api-tokens/:id',
      ]),
    );
    // Nothing of B changed hands: its consumer key is still validated.
    const ck = await http()
      .get(`/api/v1/accounts/${ids.accountB}/consumer-keys/${ids.consumerKey}`)
      .set(bearer(admin.token))
      .expect(200);
    expect(ck.body.state).toBe('validated');
  });

  it('lets the assigned operator reach account A (the 404s above are not a blanket refusal)', async () => {
    await http().get(`/api/v1/accounts/${ids.accountA}`).set(bearer(operator.token)).expect(200);
    await http()
      .get(`/api/v1/accounts/${ids.accountA}/consumer-keys`)
      .set(bearer(operator.token))
      .expect(200);
    const list = await http().get('/api/v1/accounts').set(bearer(operator.token)).expect(200);
    expect(list.body.map((a: { id: string }) => a.id)).toEqual([ids.accountA]);
  });
});
