import Redis from 'ioredis';
import {
  RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';

export interface RateDecision {
  allowed: boolean;
  retryAfterSeconds: number;
}

// Per-grant (each grant's own requests/minute) and per-consumer-key (OVHcloud fair use, about
// 60/min per CK, configurable) limits. With REDIS_URL they are shared by every relay instance;
// an in-memory limiter backs Redis up if it fails, so an outage degrades to per-instance limits.
export class RelayRateLimits {
  private readonly grantLimiters = new Map<number, RateLimiterAbstract>();
  private readonly ckLimiter: RateLimiterAbstract;
  private readonly redis?: Redis;

  constructor(options: { ckPointsPerMinute: number; redisUrl?: string }) {
    if (options.redisUrl) {
      this.redis = new Redis(options.redisUrl, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        lazyConnect: false,
      });
      this.redis.on('error', () => undefined);
    }
    this.ckLimiter = this.make('relay:ck', options.ckPointsPerMinute);
  }

  private make(prefix: string, points: number): RateLimiterAbstract {
    const memory = new RateLimiterMemory({ keyPrefix: prefix, points, duration: 60 });
    if (!this.redis) return memory;
    return new RateLimiterRedis({
      storeClient: this.redis,
      keyPrefix: prefix,
      points,
      duration: 60,
      insuranceLimiter: memory,
    });
  }

  async consumeGrant(grantId: string, pointsPerMinute: number): Promise<RateDecision> {
    let limiter = this.grantLimiters.get(pointsPerMinute);
    if (!limiter) {
      limiter = this.make(`relay:grant:${pointsPerMinute}`, pointsPerMinute);
      this.grantLimiters.set(pointsPerMinute, limiter);
    }
    return consume(limiter, grantId);
  }

  consumeConsumerKey(consumerKeyId: string): Promise<RateDecision> {
    return consume(this.ckLimiter, consumerKeyId);
  }

  async close(): Promise<void> {
    if (this.redis) this.redis.disconnect();
  }
}

const ALLOWED: RateDecision = { allowed: true, retryAfterSeconds: 0 };

async function consume(limiter: RateLimiterAbstract, key: string): Promise<RateDecision> {
  try {
    await limiter.consume(key, 1);
    return ALLOWED;
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
    }
    throw rejection;
  }
}
