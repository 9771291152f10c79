import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { createRelay } from '../../apps/relay/src/bootstrap';

// The real relay app (same module and configure step as main.ts), on a random port.
async function main(): Promise<void> {
  const app = await createRelay();
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  process.stdout.write(`READY ${port}\n`);
  // exit 0 even if closing fails, so that --cpu-prof (BENCH_PROFILE) still writes its profile
  const stop = () =>
    void app
      .close()
      .catch((e: unknown) => console.error(e))
      .finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
