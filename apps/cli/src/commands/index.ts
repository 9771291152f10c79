import type { CliCommand } from '../cli-command';
import { auditPurgeCommand } from './audit-purge.command';
import { auditVerifyCommand } from './audit-verify.command';
import { keysImportCommand } from './keys-import.command';
import { keysRotateCommand } from './keys-rotate.command';
import { keysStatusCommand } from './keys-status.command';
import { operatorsCreateAdminCommand } from './operators-create-admin.command';

// Each command lives in its own file under commands/ and is listed here.
export const COMMANDS: CliCommand[] = [
  keysStatusCommand,
  keysRotateCommand,
  keysImportCommand,
  operatorsCreateAdminCommand,
  auditVerifyCommand,
  auditPurgeCommand,
];
