// Every migration, in order. A new file from `npm run migration:generate` must be
// added here too: the list is explicit so that ts-jest, ts-node and the compiled
// build all load the same migrations without globbing.
import { CreateSettings1767225600000 } from './1767225600000-CreateSettings';
import { CreateVault1767225700000 } from './1767225700000-CreateVault';
import { CreateAuditEvents1767225800000 } from './1767225800000-CreateAuditEvents';
import { CreateOperators1767225810000 } from './1767225810000-CreateOperators';
import { CreateJobRuns1767225900000 } from './1767225900000-CreateJobRuns';
import { CreateApplications1767225910000 } from './1767225910000-CreateApplications';
import { CreateAccounts1767225920000 } from './1767225920000-CreateAccounts';
import { CreateConsumerKeys1767225930000 } from './1767225930000-CreateConsumerKeys';
import { CreateWebhooks1767225940000 } from './1767225940000-CreateWebhooks';
import { CreateGrants1767226000000 } from './1767226000000-CreateGrants';
import { CreateInvalidationTriggers1767226010000 } from './1767226010000-CreateInvalidationTriggers';
import { AddConsumerKeyOrigin1767226100000 } from './1767226100000-AddConsumerKeyOrigin';
import { SlimAuditEventIndexes1767226200000 } from './1767226200000-SlimAuditEventIndexes';

export const ALL_MIGRATIONS = [
  CreateSettings1767225600000,
  CreateVault1767225700000,
  CreateAuditEvents1767225800000,
  CreateOperators1767225810000,
  CreateJobRuns1767225900000,
  CreateApplications1767225910000,
  CreateAccounts1767225920000,
  CreateConsumerKeys1767225930000,
  CreateWebhooks1767225940000,
  CreateGrants1767226000000,
  CreateInvalidationTriggers1767226010000,
  AddConsumerKeyOrigin1767226100000,
  SlimAuditEventIndexes1767226200000,
];
