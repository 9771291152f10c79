// Every migration, in order. A new file from `npm run migration:generate` must be
// added here too: the list is explicit so that ts-jest, ts-node and the compiled
// build all load the same migrations without globbing.
import { CreateSettings1767225600000 } from './1767225600000-CreateSettings';
import { CreateVault1767225700000 } from './1767225700000-CreateVault';
import { CreateAuditEvents1767225800000 } from './1767225800000-CreateAuditEvents';

export const ALL_MIGRATIONS = [
  CreateSettings1767225600000,
  CreateVault1767225700000,
  CreateAuditEvents1767225800000,
];
