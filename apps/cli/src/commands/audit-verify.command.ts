import type { INestApplicationContext } from '@nestjs/common';
import type { CliCommand } from '../cli-command';

// npm run cli -- audit:verify [--json]   exit 0 when the chain is intact, 1 otherwise
export const auditVerifyCommand: CliCommand = {
  name: 'audit:verify',
  summary: 'Check the audit trail hash chain; names the first edited, inserted or missing row',
  usage: 'audit:verify [--json]',
  modules: async () => [(await import('@app/audit')).AuditModule],
  async run(ctx: INestApplicationContext, args: string[], out: (line: string) => void): Promise<number> {
    const { AuditChainService } = await import('@app/audit');
    const report = await ctx.get(AuditChainService).verify();
    if (args.includes('--json')) {
      out(JSON.stringify(report));
      return report.ok ? 0 : 1;
    }
    if (report.ok) {
      out(
        report.checked === 0
          ? 'The audit trail is empty.'
          : `OK: ${report.checked} rows, seq ${report.firstSeq}..${report.lastSeq}, head hash ${report.headHash}`,
      );
      out('Keep the head hash somewhere else: it lets you detect a truncated tail later.');
      return 0;
    }
    out(`TAMPERED at seq ${report.problem?.seq}: ${report.problem?.reason} (${report.problem?.detail})`);
    out(`${report.checked} rows before it verified.`);
    return 1;
  },
};
