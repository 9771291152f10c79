import 'reflect-metadata';
import { runMain } from '../../broker/src/run-main';

// `npm run demo`: the broker (admin API + dashboard + relay, embedded database in
// ./data/demo) and the OVH emulator together, with a sandbox application and a demo
// customer account already registered. For trying the whole flow without an OVHcloud account.
runMain('demo', async () => {
  const { startDemo } = await import('./start-demo');
  await startDemo();
});
