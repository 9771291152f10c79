import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainException } from '@app/common';
import type { EnvironmentVariables } from '@app/config';
import { AuditService, type AuditContext } from '@app/audit';

export const GRANTS_MAX_TTL_SETTING = 'grants.maxTtlSeconds';
export const MIN_GRANT_MAX_TTL_SECONDS = 60;
export const MAX_GRANT_MAX_TTL_SECONDS = 365 * 86_400;

// The longest life a new grant may have: the `settings` row an admin sets, else
// GRANTS_MAX_TTL_SECONDS (default 30 days).
@Injectable()
export class GrantSettingsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: ConfigService<EnvironmentVariables, true>,
    private readonly audit: AuditService,
  ) {}

  envMaxTtlSeconds(): number {
    return this.config.get('GRANTS_MAX_TTL_SECONDS', { infer: true });
  }

  async getMaxTtlSeconds(): Promise<{ maxTtlSeconds: number; source: 'setting' | 'environment' }> {
    const rows: { value: unknown }[] = await this.dataSource.query(
      'SELECT value FROM settings WHERE key = $1',
      [GRANTS_MAX_TTL_SETTING],
    );
    const value = rows[0]?.value;
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) {
      return { maxTtlSeconds: value, source: 'setting' };
    }
    return { maxTtlSeconds: this.envMaxTtlSeconds(), source: 'environment' };
  }

  async setMaxTtlSeconds(seconds: number, ctx: AuditContext): Promise<{ maxTtlSeconds: number }> {
    if (
      !Number.isInteger(seconds) ||
      seconds < MIN_GRANT_MAX_TTL_SECONDS ||
      seconds > MAX_GRANT_MAX_TTL_SECONDS
    ) {
      throw new DomainException({
        code: 'GRANT_SETTINGS_INVALID',
        kind: 'invalid',
        message: `maxTtlSeconds must be an integer between ${MIN_GRANT_MAX_TTL_SECONDS} and ${MAX_GRANT_MAX_TTL_SECONDS}`,
      });
    }
    await this.dataSource.transaction(async (m) => {
      const before: { value: unknown }[] = await m.query(
        'SELECT value FROM settings WHERE key = $1 FOR UPDATE',
        [GRANTS_MAX_TTL_SETTING],
      );
      await m.query(
        `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2::jsonb, now())
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
        [GRANTS_MAX_TTL_SETTING, JSON.stringify(seconds)],
      );
      await this.audit.record(
        {
          ...ctx,
          action: 'grant.settings_updated',
          objectType: 'setting',
          objectId: GRANTS_MAX_TTL_SETTING,
          result: 'success',
          metadata: { before: before[0]?.value ?? null, after: seconds },
        },
        m,
      );
    });
    return { maxTtlSeconds: seconds };
  }
}
