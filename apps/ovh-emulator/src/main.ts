import { Logger } from '@nestjs/common';
import { startEmulator } from './create-emulator';
import { emulatorOptionsFromEnv } from './emulator-options';

export async function bootstrapEmulator(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const logger = new Logger('OvhEmulator');
  const { port, host, ...options } = emulatorOptionsFromEnv(env);
  const emulator = await startEmulator({ ...options, port, host, logger: true });
  logger.log(`OVH API emulator listening on ${emulator.url} (endpoint ${emulator.url}/1.0)`);
  logger.log(
    `Control API ${emulator.options.control ? `ON at ${emulator.url}/_emulator/` : 'off (set EMULATOR_CONTROL=1)'}; ` +
      `error style ${emulator.options.errorStyle}; timestamp window ${emulator.options.timestampWindowSec}s`,
  );
}

if (require.main === module) {
  bootstrapEmulator().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
