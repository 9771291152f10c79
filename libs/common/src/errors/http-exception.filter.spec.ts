import { Controller, Get, INestApplication, NotFoundException } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DomainException } from './domain.exception';
import { GlobalExceptionFilter } from './http-exception.filter';

@Controller()
class ProbeController {
  @Get('domain')
  domain(): never {
    throw new DomainException({ code: 'THING_NOT_FOUND', kind: 'not_found', message: 'No such thing' });
  }
  @Get('limited')
  limited(): never {
    throw new DomainException({
      code: 'SLOW_DOWN',
      kind: 'rate_limited',
      message: 'Slow down',
      retryAfterSeconds: 7,
    });
  }
  @Get('http')
  http(): never {
    throw new NotFoundException('gone');
  }
  @Get('boom')
  boom(): never {
    throw new Error('database password is hunter2-canary');
  }
}

describe(GlobalExceptionFilter.name, () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [ProbeController],
      providers: [{ provide: APP_FILTER, useClass: GlobalExceptionFilter }],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });
  afterAll(() => app.close());

  it('maps a domain error to its status with its code and message', async () => {
    const res = await request(app.getHttpServer()).get('/domain').expect(404);
    expect(res.body).toMatchObject({ code: 'THING_NOT_FOUND', message: 'No such thing' });
  });

  it('sets Retry-After on rate-limit errors', async () => {
    const res = await request(app.getHttpServer()).get('/limited').expect(429);
    expect(res.headers['retry-after']).toBe('7');
  });

  it('answers unknown routes with a 404 body of the same shape', async () => {
    const res = await request(app.getHttpServer()).get('/nowhere').expect(404);
    expect(res.body).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('hides the details of unexpected errors behind an opaque 500', async () => {
    const res = await request(app.getHttpServer()).get('/boom').expect(500);
    expect(res.body).toEqual({ code: 'INTERNAL', message: 'Internal server error' });
    expect(JSON.stringify(res.body)).not.toContain('hunter2-canary');
  });
});
