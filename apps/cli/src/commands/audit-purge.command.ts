import type { INestApplicationContext } from '@nestjs/common';
import type { CliCommand } from '../cli-command';

// npm run cli -- audit:purge [--older-than-days N]   (default: AUDIT_RETENTION_DAYS)
export const auditPurgeCommand: CliCommand = {
  name: 'audit:purge',
  summary: 'Delete audit rows older than the retention period, leaving a verifiable checkpoint',
  usage: 'audit:purge [--older-than-days <days>]',
  modules: async () => [(await import('@app/audit')).AuditModule],
  async run(ctx: INestApplicationContext, args: string[], out: (line: string) => void): Promise<number> {
    const { AuditChainService } = await import('@app/audit');
    const { Clock } = await import('@app/common');
    const chain = ctx.get(AuditChainService);
    const i = args.indexOf('--older-than-days');
    let result;
    if (i >= 0) {
      const days = Number(args[i + 1]);
      if (!Number.isInteger(days) || days < 1) {
        out('--older-than-days needs a whole number of days, at least 1');
        return 2;
      }
      result = await chain.purgeOlderThan(new Date(ctx.get(Clock).now().getTime() - days * 86_400_000));
    } else {
      result = await chain.purgeExpired();
    }
    out(
      result.purged === 0
        ? 'Nothing to purge.'
        : `Purged ${result.purged} rows through seq ${result.throughSeq}.`,
    );
    return 0;
  },
};
