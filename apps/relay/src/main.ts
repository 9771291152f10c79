import 'reflect-metadata';
import { runMain } from '../../broker/src/run-main';

runMain('relay', async () => {
  const { startApps } = await import('../../broker/src/start-apps');
  await startApps({ adminApi: false, relay: true });
});
