import 'reflect-metadata';
import { runMain } from '../../broker/src/run-main';

runMain('admin-api', async () => {
  const { startApps } = await import('../../broker/src/start-apps');
  await startApps({ adminApi: true, relay: false });
});
