import type { INestApplicationContext } from '@nestjs/common';
import type { CliCommand } from '../cli-command';

// npm run cli -- keys:status [--json] [--can-retire <master key id>]
export const keysStatusCommand: CliCommand = {
  name: 'keys:status',
  summary: 'Show which master key and data key protect what, and whether a master key can be retired',
  usage: 'keys:status [--json] [--can-retire <master-key-id>]',
  modules: async () => [(await import('@app/vault')).VaultModule],
  async run(ctx: INestApplicationContext, args: string[], out: (line: string) => void): Promise<number> {
    const { VaultRotationService } = await import('@app/vault');
    const status = await ctx.get(VaultRotationService).status();
    const retireIndex = args.indexOf('--can-retire');
    if (retireIndex >= 0) {
      const id = args[retireIndex + 1];
      if (!id) {
        out('Usage: keys:status --can-retire <master-key-id>');
        return 2;
      }
      const key = status.masterKeys.find((k) => k.id === id);
      if (!key) {
        out(`No master key "${id}" is configured or in use: nothing needs it.`);
        return 0;
      }
      if (key.canRetire) {
        out(`Master key "${id}" protects nothing: it can be removed from MASTER_KEYS.`);
        return 0;
      }
      out(
        key.active
          ? `Master key "${id}" is the active key: make another key active and run keys:rotate first.`
          : `Master key "${id}" still wraps ${key.dataKeys} data key(s) (${key.sealedValues} sealed value(s)): run keys:rotate first.`,
      );
      return 1;
    }
    if (args.includes('--json')) {
      out(JSON.stringify(status, null, 2));
      return status.sealed ? 1 : 0;
    }
    out(
      status.sealed
        ? `Vault: SEALED (${status.sealedReason})`
        : `Vault: unsealed; active master key "${status.activeMasterKeyId}" from ${status.masterKeySource}`,
    );
    out('\nMaster keys:');
    for (const k of status.masterKeys) {
      const state = [k.active ? 'active' : '', k.configured ? 'configured' : 'NOT CONFIGURED']
        .filter(Boolean)
        .join(', ');
      const verdict = k.canRetire
        ? 'can be retired'
        : k.active
          ? 'in use (active)'
          : k.dataKeys > 0
            ? 'in use'
            : '';
      out(
        `  ${k.id.padEnd(20)} ${state.padEnd(20)} data keys: ${k.dataKeys}  sealed values: ${k.sealedValues}  ${verdict}`,
      );
    }
    out('\nData keys:');
    for (const d of status.dataKeys) {
      const state = d.retired ? `retired ${d.retiredAt}` : d.active ? 'active' : 'inactive';
      out(
        `  ${d.id}  master key ${d.masterKeyId.padEnd(12)} ${state.padEnd(10)} sealed values: ${d.sealedValues}`,
      );
    }
    out('\nSealed columns:');
    if (status.columns.length === 0) out('  (none registered yet)');
    for (const c of status.columns) {
      out(
        `  ${`${c.table}.${c.column}`.padEnd(40)} ${c.present ? `${c.sealedValues} value(s)` : 'missing from the database'}`,
      );
    }
    const job = status.lastRotation;
    out(
      job
        ? `\nLast rotation: ${job.id} ${job.status} (started ${job.startedAt}): ${job.rewrapped} data key(s) re-wrapped, ` +
            `${job.resealed} value(s) re-sealed${job.error ? `; error: ${job.error}` : ''}`
        : '\nNo rotation yet.',
    );
    return status.sealed ? 1 : 0;
  },
};
