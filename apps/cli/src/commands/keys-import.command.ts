import { readFile } from 'node:fs/promises';
import type { INestApplicationContext } from '@nestjs/common';
import type { ClientKeyConfig } from '@app/key-import';
import type { CliCommand } from '../cli-command';

const USAGE = [
  'keys:import --account <id> --conf <path/to/ovh.conf | ->          (recommended)',
  'keys:import --account <id> --from-env                              (OVH_ENDPOINT, OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY)',
  'keys:import --account <id> --endpoint <e> --application-key <ak> --consumer-key-stdin   (AS from OVH_APPLICATION_SECRET)',
  '  options: [--label <text>] [--validity-seconds <n>]',
].join('\n  ');

export interface KeysImportIo {
  readStdin: () => Promise<string>;
  env: Record<string, string | undefined>;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

// Secrets come from a file, stdin or the environment; argv only as a last resort
// (shell history, `ps`), with a warning.
export function createKeysImportCommand(io: KeysImportIo): CliCommand {
  let saved: { jobsEnabled: string | undefined } | null = null;
  return {
    name: 'keys:import',
    summary: 'Import an existing consumer key (ovh.conf, OVH_* variables or a key triple) for an account',
    usage: USAGE,
    modules: async () => {
      // A one-shot command must not start the background job scheduler.
      saved = { jobsEnabled: process.env.JOBS_ENABLED };
      process.env.JOBS_ENABLED = 'false';
      return [
        (await import('@app/vault')).VaultModule,
        (await import('@app/audit')).AuditModule,
        (await import('@app/key-import')).KeyImportModule,
      ];
    },
    async run(ctx: INestApplicationContext, args: string[], out: (line: string) => void): Promise<number> {
      if (saved) {
        if (saved.jobsEnabled === undefined) delete process.env.JOBS_ENABLED;
        else process.env.JOBS_ENABLED = saved.jobsEnabled;
        saved = null;
      }
      const { KeyImportService, readClientEnv, normalizeClientConfig, ClientConfigError } =
        await import('@app/key-import');
      const { isDomainException } = await import('@app/common');
      const accountId = option(args, '--account');
      const conf = option(args, '--conf');
      const fromEnv = args.includes('--from-env');
      const endpoint = option(args, '--endpoint');
      const modes = [conf !== undefined, fromEnv, endpoint !== undefined].filter(Boolean).length;
      if (!accountId || modes !== 1) {
        out(`Usage:\n  ${USAGE}`);
        return 2;
      }
      const validityText = option(args, '--validity-seconds');
      const validitySeconds = validityText === undefined ? undefined : Number(validityText);
      if (validitySeconds !== undefined && !Number.isInteger(validitySeconds)) {
        out('--validity-seconds needs a whole number of seconds');
        return 2;
      }
      const service = ctx.get(KeyImportService);
      try {
        let config: ClientKeyConfig;
        let source: 'ovh.conf' | 'env' | 'triple';
        if (conf !== undefined) {
          source = 'ovh.conf';
          const text = conf === '-' ? await io.readStdin() : await readFile(conf, 'utf8');
          config = service.parseConf(text);
        } else if (fromEnv) {
          source = 'env';
          config = readClientEnv(io.env);
        } else {
          source = 'triple';
          let applicationSecret = io.env.OVH_APPLICATION_SECRET;
          if (option(args, '--application-secret') !== undefined) {
            out(
              'warning: a secret on the command line lands in shell history; prefer OVH_APPLICATION_SECRET',
            );
            applicationSecret = option(args, '--application-secret');
          }
          const consumerKey = args.includes('--consumer-key-stdin')
            ? (await io.readStdin()).trim()
            : (option(args, '--consumer-key') ?? io.env.OVH_CONSUMER_KEY);
          config = normalizeClientConfig({
            endpoint,
            applicationKey: option(args, '--application-key') ?? io.env.OVH_APPLICATION_KEY,
            applicationSecret,
            consumerKey,
          });
        }
        const result = await service.importKey(
          { operatorId: '00000000-0000-0000-0000-000000000000', role: 'admin' },
          { accountId, config, source, label: option(args, '--label'), validitySeconds },
          { actor: { type: 'system', label: 'cli keys:import' } },
        );
        const k = result.key;
        out(
          `Imported consumer key ${k.id} (credential ${k.credentialId}, ${k.state}) for account ${accountId}.`,
        );
        if (result.applicationRegistered)
          out(`Registered application ${k.applicationId} (new application key).`);
        out(`Rules: ${(k.upstreamRules ?? k.accessRules).map((r) => `${r.method} ${r.path}`).join(', ')}`);
        out(`Expires: ${k.expiresAt ? k.expiresAt.toISOString() : 'never'}`);
        return 0;
      } catch (e) {
        if (e instanceof ClientConfigError) {
          out(`KEY_IMPORT_CONFIG_INVALID: ${e.message}`);
          return 1;
        }
        if (isDomainException(e)) {
          const existing = (e.details as { existingKeyId?: string } | undefined)?.existingKeyId;
          out(`${e.code}: ${e.message}${existing ? ` (existing key ${existing})` : ''}`);
          return 1;
        }
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
          out(`Cannot read ${conf}: no such file`);
          return 1;
        }
        throw e;
      }
    },
  };
}

// npm run cli -- keys:import --account <id> --conf ~/.ovh.conf
export const keysImportCommand = createKeysImportCommand({ readStdin: readProcessStdin, env: process.env });
