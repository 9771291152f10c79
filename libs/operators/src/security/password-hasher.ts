import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { hash, verify } from '@node-rs/argon2';
import { DomainException } from '@app/common';
import type { EnvironmentVariables } from '@app/config';

// OWASP Password Storage Cheat Sheet, argon2id: m=19 MiB, t=2, p=1.
// 2 = Algorithm.Argon2id (a const enum, which isolatedModules cannot read from a .d.ts).
export const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_BYTES = 1024;

// Each hash holds 19 MiB and a thread for ~50-500 ms: a flood must queue briefly
// and then get 429s, never run hashes without bound (PERFORMANCE P7, checklist T6).
@Injectable()
export class PasswordHasher {
  private readonly limit: number;
  private readonly maxQueue: number;
  private running = 0;
  private readonly queue: (() => void)[] = [];
  private dummyHash?: Promise<string>;

  constructor(config: ConfigService<EnvironmentVariables, true>) {
    this.limit = config.get('PASSWORD_HASH_CONCURRENCY', { infer: true });
    this.maxQueue = this.limit * 4;
  }

  assertAcceptable(password: string): void {
    if (password.length < PASSWORD_MIN_LENGTH || Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) {
      throw new DomainException({
        code: 'OPERATOR_PASSWORD_POLICY',
        kind: 'invalid',
        message: `Passwords must be at least ${PASSWORD_MIN_LENGTH} characters and at most ${PASSWORD_MAX_BYTES} bytes`,
      });
    }
  }

  async hash(password: string): Promise<string> {
    this.assertAcceptable(password);
    return this.withSlot(() => hash(password, ARGON2_OPTIONS));
  }

  // Over-long input is never hashed: it compares against nothing and costs the same.
  async verify(passwordHash: string | null, password: string): Promise<boolean> {
    const tooLong = Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES;
    const target = passwordHash ?? (await this.dummy());
    return this.withSlot(async () => {
      const ok = await verify(target, tooLong ? 'x'.repeat(PASSWORD_MIN_LENGTH) : password).catch(
        () => false,
      );
      return ok && !tooLong && passwordHash !== null;
    });
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hash('not-a-password-of-anyone', ARGON2_OPTIONS);
    return this.dummyHash;
  }

  private async withSlot<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      if (this.queue.length >= this.maxQueue) {
        throw new DomainException({
          code: 'AUTH_BUSY',
          kind: 'rate_limited',
          message: 'Too many sign-in attempts are being processed; retry shortly',
          retryAfterSeconds: 1,
        });
      }
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await work();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
