import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { installGracefulShutdown } from '@app/common';
import type { EnvironmentVariables } from '@app/config';
import { createAdminApi } from '../../admin-api/src/bootstrap';
import { createRelay } from '../../relay/src/bootstrap';

// The admin API and the relay, alone or together in one process. Together they
// share the process's embedded database when DATABASE_URL is unset.
export async function startApps(which: { adminApi: boolean; relay: boolean }): Promise<INestApplication[]> {
  const logger = new Logger('Broker');
  const apps: INestApplication[] = [];
  if (which.adminApi) {
    const app = await createAdminApi();
    const config = app.get(ConfigService<EnvironmentVariables, true>);
    await app.listen(config.get('PORT', { infer: true }), config.get('HOST', { infer: true }));
    logger.log(
      `admin API listening on ${await app.getUrl()} (dashboard at /, API at /api/v1, OpenAPI at /docs)`,
    );
    apps.push(app);
  }
  if (which.relay) {
    const app = await createRelay();
    const config = app.get(ConfigService<EnvironmentVariables, true>);
    await app.listen(config.get('RELAY_PORT', { infer: true }), config.get('HOST', { infer: true }));
    logger.log(`relay listening on ${await app.getUrl()} (OVHcloud API at /1.0, /v1, /v2)`);
    apps.push(app);
  }
  const grace = Number(process.env.SHUTDOWN_GRACE_MS ?? 10000);
  const drain = Number(process.env.SHUTDOWN_DRAIN_MS ?? 1000);
  installGracefulShutdown(apps, grace, (m) => logger.log(m), drain);
  return apps;
}
