import { NestFactory } from '@nestjs/core';
import { CliModule } from './cli.module';
import { COMMANDS } from './commands';

function help(out: (l: string) => void): void {
  out('Usage: npm run cli -- <command> [options]\n\nCommands:');
  for (const c of COMMANDS) out(`  ${c.name.padEnd(26)} ${c.summary}`);
}

export async function runCli(argv: string[], out = (l: string) => console.log(l)): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help') {
    help(out);
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(`Unknown command "${name}".`);
    help(out);
    return 2;
  }
  const ctx = await NestFactory.createApplicationContext(CliModule.with(await command.modules()), {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
  try {
    return await command.run(ctx, args, out);
  } finally {
    await ctx.close();
  }
}
