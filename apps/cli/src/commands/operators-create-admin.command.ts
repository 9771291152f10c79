import type { INestApplicationContext } from '@nestjs/common';
import type { CliCommand } from '../cli-command';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

// npm run cli -- operators:create-admin --email a@b.example --name "Alice" [--password-stdin]
export const operatorsCreateAdminCommand: CliCommand = {
  name: 'operators:create-admin',
  summary: 'Create an admin operator (prints a generated password unless --password-stdin)',
  usage: 'operators:create-admin --email <email> --name <display name> [--password-stdin]',
  modules: async () => [
    (await import('@app/vault')).VaultModule,
    (await import('@app/audit')).AuditModule,
    (await import('@app/operators')).OperatorsModule,
  ],
  async run(ctx: INestApplicationContext, args: string[], out: (line: string) => void): Promise<number> {
    const email = option(args, '--email');
    const name = option(args, '--name');
    if (!email || !name) {
      out(`Usage: ${this.usage}`);
      return 2;
    }
    const password = args.includes('--password-stdin') ? await readStdin() : undefined;
    const { SetupService } = await import('@app/operators');
    const { isDomainException } = await import('@app/common');
    try {
      const { operator, generatedPassword } = await ctx
        .get(SetupService)
        .createFirstAdmin({ email, displayName: name, password });
      out(`Created admin ${operator.email} (${operator.id}).`);
      if (generatedPassword) out(`Generated password (shown once): ${generatedPassword}`);
      return 0;
    } catch (e) {
      if (isDomainException(e)) {
        out(`${e.code}: ${e.message}`);
        return 1;
      }
      throw e;
    }
  },
};
