import { Writable } from 'node:stream';
import { Logger as NestLogger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { Logger, PinoLogger } from 'nestjs-pino';
import request from 'supertest';
import { LOG_DESTINATION } from '@app/observability';
import { AdminApiModule } from '../../../apps/admin-api/src/admin-api.module';
import { configureAdminApi } from '../../../apps/admin-api/src/configure-app';
import { createTestDatabase, TestDatabase } from '../../utils/test-database';

const CANARIES = {
  password: 'canary-pw-81f3a2',
  bearer: 'canaryBearer5d7e91c0',
  consumerKey: 'canaryCK7b0c44e1a9',
  appSecret: 'canaryAS2e6f0d9b13',
  dbPassword: 'canaryDbPw6c1d',
  queryToken: 'canaryQueryTok3f9a',
  brokerToken: 'obt_canaryBrokerTok9e2b71',
  totp: 'canaryTotp551',
  errorSecret: 'canaryErrSecret0aa1',
  cookie: 'canaryCookie7710',
  header: 'canaryHdrSig4412',
  nested: 'canaryNested99d0',
  refresh: 'canaryRefresh13e7',
};

class Capture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.lines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  }
  text(): string {
    return this.lines.join('\n');
  }
}

describe('structured logs redact every secret', () => {
  let db: TestDatabase;
  let app: NestExpressApplication;
  const out = new Capture();
  const saved = { ...process.env };

  beforeAll(async () => {
    db = await createTestDatabase();
    Object.assign(process.env, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: db.url,
      JOBS_ENABLED: 'false',
    });
    const moduleRef = await Test.createTestingModule({ imports: [AdminApiModule] })
      .overrideProvider(LOG_DESTINATION)
      .useValue(out)
      .compile();
    app = moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true });
    configureAdminApi(app);
    await app.init();
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
    process.env = saved;
  });

  it('writes one JSON object per line', () => {
    app.get(Logger).log('hello');
    expect(out.lines.length).toBeGreaterThan(0);
    for (const line of out.lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('redacts secret-named fields at any depth, in arrays, and secret-shaped text in messages', async () => {
    const logged = {
      operator: { email: 'ops@example.com', password: CANARIES.password },
      authorization: `Bearer ${CANARIES.bearer}`,
      deep: { a: { b: { c: { d: { consumerKey: CANARIES.consumerKey, consumerKeyId: 'ck-row-42' } } } } },
      applications: [{ applicationSecret: CANARIES.appSecret, applicationKey: 'public-ak-1' }],
      databaseUrl: `postgres://broker:${CANARIES.dbPassword}@db:5432/broker`,
      settings: {
        refresh_token: CANARIES.refresh,
        'X-Ovh-Signature': CANARIES.header,
        totpCode: CANARIES.totp,
      },
      note: `retrying https://user:${CANARIES.nested}@example.com/hook`,
    };
    const copy = JSON.parse(JSON.stringify(logged)) as typeof logged;
    const pino = app.get(Logger);
    pino.log(logged, 'first');
    pino.warn(`callback failed for ?state=1&token=${CANARIES.queryToken} with ${CANARIES.brokerToken}`);
    new NestLogger('Consumer keys').error(`upstream said no to Bearer ${CANARIES.bearer}`);
    (await app.resolve(PinoLogger)).error(
      { err: new Error(`decrypt failed, secret=${CANARIES.errorSecret}`) },
      'boom',
    );

    expect(logged).toEqual(copy); // the caller's object is untouched
    const text = out.text();
    for (const [name, canary] of Object.entries(CANARIES)) {
      if (name === 'cookie') continue;
      expect({ name, leaked: text.includes(canary) }).toEqual({ name, leaked: false });
    }
    expect(text).toContain('[redacted]');
    // what is needed to debug stays
    expect(text).toContain('ck-row-42');
    expect(text).toContain('public-ak-1');
    expect(text).toContain('ops@example.com');
    expect(text).toContain('obt_[redacted]');
    expect(text).toContain('decrypt failed');
  });

  it('logs each request with its id, and no header, cookie or query secret', async () => {
    const res = await request(app.getHttpServer())
      .get(`/api/v1/no-such/${CANARIES.brokerToken}?token=${CANARIES.queryToken}`)
      .set('Authorization', `Bearer ${CANARIES.bearer}`)
      .set('Cookie', `session=${CANARIES.cookie}`)
      .set('X-Ovh-Signature', `$1$${CANARIES.header}`)
      .set('X-Request-Id', 'req-redaction-1')
      .expect(404);
    expect(res.headers['x-request-id']).toBe('req-redaction-1');
    // the request line is written after the response; on a busy machine that can take a while
    const findLine = () =>
      out.lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => {
          const req = l.req as { id?: string } | undefined;
          return req?.id === 'req-redaction-1' && l.res !== undefined;
        });
    let line = findLine();
    for (let i = 0; !line && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 20));
      line = findLine();
    }
    expect(line).toMatchObject({ req: { id: 'req-redaction-1', method: 'GET' }, res: { statusCode: 404 } });
    const text = out.text();
    for (const canary of Object.values(CANARIES)) expect(text).not.toContain(canary);
  });
});
