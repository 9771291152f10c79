import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { DataSource } from 'typeorm';
import { DomainException } from '@app/common';
import type { EnvironmentVariables } from '@app/config';

export type ThrottleScope = 'account' | 'ip' | 'mfa';

// Failure counters live in Postgres (auth_rate_limits), so they hold across
// instances and restarts. Only failures count; a success clears the account's.
@Injectable()
export class AuthThrottle {
  private readonly limiters: Record<ThrottleScope, RateLimiterPostgres>;

  constructor(@InjectDataSource() dataSource: DataSource, config: ConfigService<EnvironmentVariables, true>) {
    const pool = (dataSource.driver as unknown as { master: unknown }).master;
    const duration = config.get('LOGIN_LOCKOUT_SECONDS', { infer: true });
    const make = (keyPrefix: string, points: number) =>
      new RateLimiterPostgres({
        storeClient: pool,
        storeType: 'pool',
        tableName: 'auth_rate_limits',
        tableCreated: true,
        keyPrefix,
        points,
        duration,
        blockDuration: duration,
      });
    const perAccount = config.get('LOGIN_MAX_FAILURES', { infer: true });
    this.limiters = {
      account: make('acct', perAccount),
      ip: make('ip', config.get('LOGIN_MAX_FAILURES_PER_IP', { infer: true })),
      mfa: make('mfa', perAccount),
    };
  }

  // Throws 429 with Retry-After if any of the keys is already over its limit.
  async assertAllowed(keys: Partial<Record<ThrottleScope, string>>): Promise<void> {
    for (const [scope, key] of Object.entries(keys) as [ThrottleScope, string][]) {
      const limiter = this.limiters[scope];
      const res = await limiter.get(key);
      if (res && res.consumedPoints >= limiter.points) throw this.tooMany(res);
    }
  }

  async fail(keys: Partial<Record<ThrottleScope, string>>): Promise<void> {
    for (const [scope, key] of Object.entries(keys) as [ThrottleScope, string][]) {
      await this.limiters[scope].penalty(key, 1);
    }
  }

  async clear(scope: ThrottleScope, key: string): Promise<void> {
    await this.limiters[scope].delete(key);
  }

  private tooMany(res: RateLimiterRes): DomainException {
    return new DomainException({
      code: 'AUTH_TOO_MANY_ATTEMPTS',
      kind: 'rate_limited',
      message: 'Too many failed attempts; retry later',
      retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    });
  }
}
