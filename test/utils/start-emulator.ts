import type { AccessRule } from '@app/ovh-protocol';
import {
  type RunningEmulator,
  startEmulator,
  type StartEmulatorOptions,
} from '../../apps/ovh-emulator/src/create-emulator';
import { DEFAULT_SEED } from '../../apps/ovh-emulator/src/seed/default-seed';

export type { RunningEmulator } from '../../apps/ovh-emulator/src/create-emulator';

export const EMULATOR_APP = DEFAULT_SEED.applications[0];
export const EMULATOR_OTHER_APP = DEFAULT_SEED.applications[1];
export const EMULATOR_ACCOUNT = DEFAULT_SEED.accounts[0];
export const EMULATOR_OTHER_ACCOUNT = DEFAULT_SEED.accounts[1];

// In-process emulator on a random local port; the control API is on unless disabled.
export function startTestEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ port: 0, host: '127.0.0.1', control: true, ...options });
}

export function endpointOf(emulator: RunningEmulator, branch: '1.0' | 'v1' | 'v2' = '1.0'): string {
  return `${emulator.url}/${branch}`;
}

export interface IssuedConsumerKey {
  consumerKey: string;
  validationUrl: string;
}

// Requests a consumer key over HTTP as a client would; validate it with validateConsumerKey.
export async function requestConsumerKey(
  emulator: RunningEmulator,
  accessRules: AccessRule[],
  extra: { redirection?: string | null; allowedIPs?: string[] | null; appKey?: string } = {},
): Promise<IssuedConsumerKey> {
  const response = await fetch(`${emulator.url}/1.0/auth/credential`, {
    method: 'POST',
    headers: {
      'X-Ovh-Application': extra.appKey ?? EMULATOR_APP.applicationKey,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({
      accessRules,
      redirection: extra.redirection ?? null,
      allowedIPs: extra.allowedIPs ?? null,
    }),
  });
  if (response.status !== 200)
    throw new Error(`credential request failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as IssuedConsumerKey;
}

export function validateConsumerKey(
  emulator: RunningEmulator,
  consumerKey: string,
  nichandle = EMULATOR_ACCOUNT.nichandle,
  validitySeconds: number | null = 86_400,
): void {
  emulator.state.validateCredential(consumerKey, nichandle, validitySeconds);
}

export async function issueValidatedConsumerKey(
  emulator: RunningEmulator,
  accessRules: AccessRule[],
  options: {
    nichandle?: string;
    validitySeconds?: number | null;
    allowedIPs?: string[] | null;
    appKey?: string;
  } = {},
): Promise<string> {
  const { consumerKey } = await requestConsumerKey(emulator, accessRules, options);
  const validity = options.validitySeconds === undefined ? 86_400 : options.validitySeconds;
  validateConsumerKey(emulator, consumerKey, options.nichandle, validity);
  return consumerKey;
}
