import { readFileSync } from 'node:fs';
import type { OvhErrorStyle } from '@app/ovh-protocol';
import { DEFAULT_SEED } from './seed/default-seed';
import { type EmulatorSeed, loadSeedFile, validateSeed } from './seed/emulator-seed';

export const EMULATOR_OPTIONS = Symbol('EMULATOR_OPTIONS');

export interface EmulatorModuleOptions {
  seed?: EmulatorSeed;
  control?: boolean;
  errorStyle?: OvhErrorStyle;
  // Origin (scheme://host[:port]) the clients sign against, e.g. https://eu.api.ovh.com.
  publicBaseUrl?: string;
  timestampWindowSec?: number;
  // §4.3: the real API answers 204 on DELETE /domain/zone/{zone}/record/{id}; 200 + null is optional.
  deleteRecordStatus?: 200 | 204;
  clock?: () => number;
  maxBodyBytes?: number;
}

export interface ResolvedEmulatorOptions {
  seed: EmulatorSeed;
  control: boolean;
  errorStyle: OvhErrorStyle;
  publicBaseUrl?: string;
  timestampWindowSec: number;
  deleteRecordStatus: 200 | 204;
  clock: () => number;
  maxBodyBytes: number;
}

export function resolveEmulatorOptions(options: EmulatorModuleOptions): ResolvedEmulatorOptions {
  const errorStyle = options.errorStyle ?? 'legacy';
  if (errorStyle !== 'legacy' && errorStyle !== 'current') {
    throw new Error(`errorStyle must be "legacy" or "current", got "${String(errorStyle)}"`);
  }
  const window = options.timestampWindowSec ?? 180;
  if (!Number.isFinite(window) || window < 0)
    throw new Error('timestampWindowSec must be a non-negative number');
  const deleteRecordStatus = options.deleteRecordStatus ?? 204;
  if (deleteRecordStatus !== 200 && deleteRecordStatus !== 204)
    throw new Error('deleteRecordStatus must be 200 or 204');
  return {
    seed: validateSeed(
      structuredClone(options.seed ?? DEFAULT_SEED),
      options.seed ? 'seed option' : 'default seed',
    ),
    control: options.control ?? false,
    errorStyle,
    ...(options.publicBaseUrl ? { publicBaseUrl: normalizeOrigin(options.publicBaseUrl) } : {}),
    timestampWindowSec: window,
    deleteRecordStatus,
    clock: options.clock ?? Date.now,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
  };
}

function normalizeOrigin(url: string): string {
  if (!/^https?:\/\/[^/?#\s]+\/?$/i.test(url)) {
    throw new Error(`publicBaseUrl must be an origin such as https://eu.api.ovh.com, got "${url}"`);
  }
  return url.replace(/\/$/, '');
}

export interface EmulatorEnvOptions extends EmulatorModuleOptions {
  port: number;
  host: string;
  tls?: { key: Buffer; cert: Buffer };
}

export function emulatorOptionsFromEnv(env: NodeJS.ProcessEnv): EmulatorEnvOptions {
  const port = env.EMULATOR_PORT ? Number(env.EMULATOR_PORT) : 3100;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error('EMULATOR_PORT must be a port number');
  const style = env.OVH_EMULATOR_ERROR_STYLE;
  if (style !== undefined && style !== 'legacy' && style !== 'current') {
    throw new Error('OVH_EMULATOR_ERROR_STYLE must be "legacy" or "current"');
  }
  const windowSec = env.OVH_EMULATOR_TIME_WINDOW;
  if (windowSec !== undefined && !/^\d+$/.test(windowSec)) {
    throw new Error('OVH_EMULATOR_TIME_WINDOW must be a number of seconds');
  }
  const deleteStatus = env.OVH_EMULATOR_DELETE_RECORD_STATUS;
  if (deleteStatus !== undefined && deleteStatus !== '200' && deleteStatus !== '204') {
    throw new Error('OVH_EMULATOR_DELETE_RECORD_STATUS must be 200 or 204');
  }
  const certPath = env.OVH_EMULATOR_TLS_CERT;
  const keyPath = env.OVH_EMULATOR_TLS_KEY;
  if (Boolean(certPath) !== Boolean(keyPath)) {
    throw new Error('OVH_EMULATOR_TLS_CERT and OVH_EMULATOR_TLS_KEY must be set together');
  }
  return {
    port,
    host: env.EMULATOR_HOST || '127.0.0.1',
    control: env.EMULATOR_CONTROL === '1' || env.EMULATOR_CONTROL === 'true',
    ...(env.OVH_EMULATOR_SEED ? { seed: loadSeedFile(env.OVH_EMULATOR_SEED) } : {}),
    ...(style ? { errorStyle: style } : {}),
    ...(env.OVH_EMULATOR_PUBLIC_BASE_URL ? { publicBaseUrl: env.OVH_EMULATOR_PUBLIC_BASE_URL } : {}),
    ...(windowSec ? { timestampWindowSec: Number(windowSec) } : {}),
    ...(deleteStatus ? { deleteRecordStatus: Number(deleteStatus) as 200 | 204 } : {}),
    ...(certPath && keyPath ? { tls: { cert: readFileSync(certPath), key: readFileSync(keyPath) } } : {}),
  };
}
