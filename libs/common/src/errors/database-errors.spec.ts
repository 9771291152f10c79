import { NotFoundException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { toDatabaseException } from './database-errors';
import { DomainException } from './domain.exception';

function pgError(code: string, message = 'pg error'): Error {
  return Object.assign(new Error(message), { code });
}

describe(toDatabaseException.name, () => {
  it.each([
    [
      'connection refused',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
    [
      'an AggregateError of refused connections',
      Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })], ''), {}),
    ],
    ['pool acquire timeout', new Error('timeout exceeded when trying to connect')],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    [
      'admin shutdown (57P01)',
      new QueryFailedError('SELECT 1', [], pgError('57P01', 'terminating connection')),
    ],
    ['starting up (57P03)', pgError('57P03', 'the database system is starting up')],
    ['too many connections (53300)', pgError('53300')],
    ['connection failure (08006)', pgError('08006')],
  ])('maps %s to 503 DATABASE_UNAVAILABLE', (_name, error) => {
    const mapped = toDatabaseException(error);
    expect(mapped).toBeInstanceOf(DomainException);
    expect(mapped).toMatchObject({ code: 'DATABASE_UNAVAILABLE', kind: 'unavailable', retryAfterSeconds: 1 });
  });

  it('maps a statement timeout (57014) to 503 DATABASE_TIMEOUT', () => {
    const error = new QueryFailedError(
      'SELECT pg_sleep(10)',
      [],
      pgError('57014', 'canceling statement due to statement timeout'),
    );
    expect(toDatabaseException(error)).toMatchObject({ code: 'DATABASE_TIMEOUT', kind: 'unavailable' });
  });

  it.each([
    ['a unique violation', new QueryFailedError('INSERT', [], pgError('23505'))],
    ['a syntax error', pgError('42601')],
    ['a plain error', new Error('boom')],
    [
      'a domain error',
      new DomainException({ code: 'X', kind: 'conflict', message: 'x', cause: pgError('57P01') }),
    ],
    ['an HTTP error', new NotFoundException()],
    ['a non-error', 'ECONNREFUSED'],
  ])('leaves %s alone', (_name, error) => {
    expect(toDatabaseException(error)).toBeUndefined();
  });
});
