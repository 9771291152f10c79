import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditContext, AuditService } from '@app/audit';
import { Clock, DomainException } from '@app/common';

export interface SecuritySettings {
  require2fa: boolean;
}

const KEY = 'security';
const CACHE_MS = 5000;

// Stored in the shared `settings` table. Cached for a few seconds because every
// authenticated request consults it; a change made here is visible at once.
@Injectable()
export class SecuritySettingsService {
  private cached?: { at: number; value: SecuritySettings };

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  // Pass the manager when called inside a transaction: the embedded engine runs one
  // transaction at a time, so a query on another connection would wait for ever.
  async get(m?: EntityManager): Promise<SecuritySettings> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < CACHE_MS) return this.cached.value;
    const rows: { value: Partial<SecuritySettings> }[] = await (m ?? this.dataSource).query(
      'SELECT value FROM settings WHERE key = $1',
      [KEY],
    );
    const value = { require2fa: rows[0]?.value?.require2fa === true };
    this.cached = { at: now, value };
    return value;
  }

  // `byOperatorId`: who changes it. Requiring 2FA without having it oneself would
  // turn one's own session into an enrol-only one at once: refused.
  async update(next: SecuritySettings, ctx: AuditContext, byOperatorId?: string): Promise<SecuritySettings> {
    const before = await this.get();
    if (next.require2fa && !before.require2fa && byOperatorId) {
      const rows: { enabled: boolean }[] = await this.dataSource.query(
        'SELECT totp_enabled_at IS NOT NULL AS enabled FROM operators WHERE id = $1',
        [byOperatorId],
      );
      if (!rows[0]?.enabled) {
        throw new DomainException({
          code: 'SETTINGS_ENROL_2FA_FIRST',
          kind: 'conflict',
          message: 'Enrol a second factor yourself before requiring it for everyone',
        });
      }
    }
    await this.dataSource.transaction(async (m) => {
      await m.query(
        `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`,
        [KEY, JSON.stringify(next), this.clock.now()],
      );
      await this.audit.record(
        {
          ...ctx,
          action: 'settings.security_updated',
          objectType: 'settings',
          objectId: KEY,
          result: 'success',
          metadata: { require2fa: { from: before.require2fa, to: next.require2fa } },
        },
        m,
      );
    });
    this.cached = undefined;
    return this.get();
  }
}
