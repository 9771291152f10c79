import 'reflect-metadata';
import { runMain } from '../../broker/src/run-main';

runMain('cli', async () => {
  const { runCli } = await import('./run-cli');
  process.exitCode = await runCli(process.argv.slice(2));
});
