import type { INestApplicationContext } from '@nestjs/common';
import type { CliCommand } from '../cli-command';

// npm run cli -- keys:rotate [--reencrypt] [--batch-size N]
export const keysRotateCommand: CliCommand = {
  name: 'keys:rotate',
  summary:
    'Re-wrap every data key under the active master key (--reencrypt: re-seal every value too); resumable',
  usage: 'keys:rotate [--reencrypt] [--batch-size <1-5000>]',
  modules: async () => [(await import('@app/vault')).VaultModule, (await import('@app/audit')).AuditModule],
  async run(ctx: INestApplicationContext, args: string[], out: (line: string) => void): Promise<number> {
    const { VaultRotationService, VaultService } = await import('@app/vault');
    const { AuditService } = await import('@app/audit');
    const unknown = args.filter(
      (a, i) => !['--reencrypt', '--batch-size'].includes(a) && args[i - 1] !== '--batch-size',
    );
    const sizeIndex = args.indexOf('--batch-size');
    const batchSize = sizeIndex >= 0 ? Number(args[sizeIndex + 1]) : undefined;
    if (
      unknown.length > 0 ||
      (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 5000))
    ) {
      out('Usage: keys:rotate [--reencrypt] [--batch-size <1-5000>]');
      return 2;
    }
    const vault = ctx.get(VaultService);
    if (vault.isSealed()) {
      out(`The vault is sealed: ${vault.sealedReason()}`);
      return 1;
    }
    const rotation = ctx.get(VaultRotationService);
    try {
      const { job, done } = await rotation.start({
        reencrypt: args.includes('--reencrypt'),
        batchSize,
        onProgress: (p) =>
          out(
            `  [${p.phase}] ${p.rewrapped} data key(s) re-wrapped, ${p.resealed} value(s) re-sealed, ` +
              `${p.batches} batch(es)${p.column ? ` (${p.column})` : ''}`,
          ),
      });
      out(
        `${job.batches > 0 || job.rewrapped > 0 ? 'Resuming' : 'Starting'} rotation ${job.id} to master key ` +
          `"${job.targetMasterKeyId}"${job.reencrypt ? ' with re-encryption' : ''}`,
      );
      await ctx
        .get(AuditService)
        .record({
          actor: { type: 'system', label: 'cli' },
          action: 'vault.rotation_started',
          objectType: 'vault_rotation_job',
          objectId: job.id,
          result: 'success',
          metadata: { reencrypt: job.reencrypt, targetMasterKeyId: job.targetMasterKeyId },
        })
        .catch(() => undefined);
      const result = await done;
      out(
        `Done: ${result.rewrapped} data key(s) re-wrapped, ${result.resealed} value(s) re-sealed` +
          (result.retiredDataKeys.length
            ? `, ${result.retiredDataKeys.length} unused data key(s) retired`
            : '') +
          '. See keys:status for what each master key still protects.',
      );
      return 0;
    } catch (e) {
      out(`Rotation stopped: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
  },
};
