import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { OvhErrorStyle } from '@app/ovh-protocol';
import { ControlStateService } from './control/control-state.service';
import { EMULATOR_OPTIONS, type ResolvedEmulatorOptions } from './emulator-options';
import {
  faultMiddleware,
  queryIdMiddleware,
  rawBodyMiddleware,
  requestLogMiddleware,
} from './http/emulator-middlewares';
import { OvhEmulatorModule } from './ovh-emulator.module';
import type { EmulatorSeed } from './seed/emulator-seed';
import { EmulatorClock } from './state/emulator-clock';
import { EmulatorStateService } from './state/emulator-state.service';

export interface StartEmulatorOptions {
  port?: number;
  host?: string;
  seed?: EmulatorSeed;
  control?: boolean;
  errorStyle?: OvhErrorStyle;
  publicBaseUrl?: string;
  timestampWindowSec?: number;
  deleteRecordStatus?: 200 | 204;
  clock?: () => number;
  tls?: { key: string | Buffer; cert: string | Buffer };
  logger?: boolean;
}

export interface RunningEmulator {
  // Origin, e.g. http://127.0.0.1:41234 (append /1.0 for an endpoint base URL).
  url: string;
  port: number;
  state: EmulatorStateService;
  control: ControlStateService;
  clock: EmulatorClock;
  options: ResolvedEmulatorOptions;
  app: NestExpressApplication;
  close(): Promise<void>;
}

export async function startEmulator(opts: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const app = await NestFactory.create<NestExpressApplication>(
    OvhEmulatorModule.forRoot({
      ...(opts.seed ? { seed: opts.seed } : {}),
      ...(opts.control !== undefined ? { control: opts.control } : {}),
      ...(opts.errorStyle ? { errorStyle: opts.errorStyle } : {}),
      ...(opts.publicBaseUrl ? { publicBaseUrl: opts.publicBaseUrl } : {}),
      ...(opts.timestampWindowSec !== undefined ? { timestampWindowSec: opts.timestampWindowSec } : {}),
      ...(opts.deleteRecordStatus ? { deleteRecordStatus: opts.deleteRecordStatus } : {}),
      ...(opts.clock ? { clock: opts.clock } : {}),
    }),
    {
      bodyParser: false,
      logger: opts.logger ? ['log', 'warn', 'error'] : false,
      ...(opts.tls ? { httpsOptions: { key: opts.tls.key, cert: opts.tls.cert } } : {}),
    },
  );
  const options = app.get<ResolvedEmulatorOptions>(EMULATOR_OPTIONS);
  const state = app.get(EmulatorStateService);
  const control = app.get(ControlStateService);
  const clock = app.get(EmulatorClock);

  app.disable('x-powered-by');
  app.use(queryIdMiddleware(clock));
  app.use(requestLogMiddleware(control, clock));
  app.use(rawBodyMiddleware(options.maxBodyBytes, options.errorStyle));
  app.use(faultMiddleware(control, options.errorStyle));
  app.enableShutdownHooks();

  await app.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  const address = app.getHttpServer().address() as AddressInfo;
  const scheme = opts.tls ? 'https' : 'http';
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `${scheme}://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`,
    port: address.port,
    state,
    control,
    clock,
    options,
    app,
    close: () => app.close(),
  };
}
