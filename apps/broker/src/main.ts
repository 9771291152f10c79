import 'reflect-metadata';
import { runMain } from './run-main';

runMain('broker', async () => {
  const { startApps } = await import('./start-apps');
  await startApps({ adminApi: true, relay: true });
});
