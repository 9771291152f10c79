import type { INestApplicationContext } from '@nestjs/common';

export interface CliCommand {
  name: string; // e.g. 'keys:rotate'
  summary: string;
  usage?: string;
  // Modules the command needs; the CLI boots a Nest application context with them.
  modules: () => Promise<unknown[]>;
  run(ctx: INestApplicationContext, args: string[], out: (line: string) => void): Promise<number>;
}
