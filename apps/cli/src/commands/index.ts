import type { CliCommand } from '../cli-command';

// Each command lives in its own file under commands/ and is listed here.
export const COMMANDS: CliCommand[] = [];
