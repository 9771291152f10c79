import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditContext } from '@app/audit';
import { Clock, DomainException } from '@app/common';
import { AuthThrottle } from '../security/auth-throttle';
import { generateToken, hashToken, TOKEN_PREFIX } from '../security/tokens';
import { CreateOperatorInput, OperatorsService, OperatorView } from './operators.service';

const SETUP_KEY = 'bootstrap.setup_token';
// Any fixed number: serialises first-admin creation across instances.
const SETUP_LOCK_ID = '7310025066416403301';

export const setupDone = () =>
  new DomainException({
    code: 'SETUP_ALREADY_COMPLETED',
    kind: 'conflict',
    message: 'Setup is already complete: an operator exists',
  });

// First start: with no operator at all, a one-time setup token (stored hashed)
// lets POST /setup create the first admin. Each start with no operator issues a
// new token, replacing the previous one.
@Injectable()
export class SetupService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly operators: OperatorsService,
    private readonly throttle: AuthThrottle,
    private readonly clock: Clock,
  ) {}

  async issueTokenIfNeeded(): Promise<string | null> {
    return this.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [SETUP_LOCK_ID]);
      const n: { n: number }[] = await m.query('SELECT count(*)::int AS n FROM operators');
      if ((n[0]?.n ?? 0) > 0) return null;
      const token = generateToken(TOKEN_PREFIX.setup);
      await m.query(
        `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`,
        [SETUP_KEY, JSON.stringify({ hash: hashToken(token) }), this.clock.now()],
      );
      return token;
    });
  }

  async complete(
    setupToken: string,
    input: Omit<CreateOperatorInput, 'role'>,
    ctx: AuditContext,
  ): Promise<OperatorView> {
    const ipKey = `setup:${ctx.ip ?? 'unknown'}`;
    await this.throttle.assertAllowed({ ip: ipKey });
    const result = await this.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [SETUP_LOCK_ID]);
      const n: { n: number }[] = await m.query('SELECT count(*)::int AS n FROM operators');
      if ((n[0]?.n ?? 0) > 0) throw setupDone();
      const rows: { value: { hash?: unknown } }[] = await m.query(
        'SELECT value FROM settings WHERE key = $1',
        [SETUP_KEY],
      );
      const stored = rows[0]?.value?.hash;
      const given = Buffer.from(hashToken(setupToken), 'hex');
      if (
        typeof stored !== 'string' ||
        stored.length !== 64 ||
        !timingSafeEqual(Buffer.from(stored, 'hex'), given)
      ) {
        return null;
      }
      const { operator } = await this.operators.create(
        { ...input, role: 'admin' },
        { ...ctx, actor: { type: 'anonymous', label: 'setup token' } },
        'auth.setup_completed',
        m,
      );
      await m.query('DELETE FROM settings WHERE key = $1', [SETUP_KEY]);
      return operator;
    });
    if (!result) {
      await this.throttle.fail({ ip: ipKey });
      throw new DomainException({
        code: 'SETUP_TOKEN_INVALID',
        kind: 'unauthenticated',
        message: 'The setup token is not valid',
      });
    }
    return result;
  }

  // For scripted installs (CLI): same result as POST /setup, without the token.
  async createFirstAdmin(
    input: Omit<CreateOperatorInput, 'role'>,
  ): Promise<{ operator: OperatorView; generatedPassword?: string }> {
    return this.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [SETUP_LOCK_ID]);
      const result = await this.operators.create(
        { ...input, role: 'admin' },
        { actor: { type: 'system', label: 'cli' } },
        'operator.created',
        m,
      );
      await m.query('DELETE FROM settings WHERE key = $1', [SETUP_KEY]);
      return result;
    });
  }
}
