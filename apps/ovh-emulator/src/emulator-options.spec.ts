import { emulatorOptionsFromEnv, resolveEmulatorOptions } from './emulator-options';

describe('emulatorOptionsFromEnv', () => {
  it('uses defaults', () => {
    expect(emulatorOptionsFromEnv({})).toEqual({ port: 3100, host: '127.0.0.1', control: false });
  });

  it('reads every variable', () => {
    expect(
      emulatorOptionsFromEnv({
        EMULATOR_PORT: '0',
        EMULATOR_HOST: '0.0.0.0',
        EMULATOR_CONTROL: '1',
        OVH_EMULATOR_ERROR_STYLE: 'current',
        OVH_EMULATOR_PUBLIC_BASE_URL: 'https://eu.api.ovh.com',
        OVH_EMULATOR_TIME_WINDOW: '30',
        OVH_EMULATOR_DELETE_RECORD_STATUS: '200',
      }),
    ).toEqual({
      port: 0,
      host: '0.0.0.0',
      control: true,
      errorStyle: 'current',
      publicBaseUrl: 'https://eu.api.ovh.com',
      timestampWindowSec: 30,
      deleteRecordStatus: 200,
    });
  });

  it.each([
    [{ EMULATOR_PORT: 'x' }, /EMULATOR_PORT/],
    [{ OVH_EMULATOR_ERROR_STYLE: 'new' }, /OVH_EMULATOR_ERROR_STYLE/],
    [{ OVH_EMULATOR_TIME_WINDOW: '-1' }, /OVH_EMULATOR_TIME_WINDOW/],
    [{ OVH_EMULATOR_DELETE_RECORD_STATUS: '202' }, /DELETE_RECORD_STATUS/],
    [{ OVH_EMULATOR_TLS_CERT: '/x' }, /set together/],
    [{ OVH_EMULATOR_SEED: '/nonexistent/seed.json' }, /cannot read file/],
  ])('refuses %j', (env, message) => {
    expect(() => emulatorOptionsFromEnv(env)).toThrow(message);
  });
});

describe('resolveEmulatorOptions', () => {
  it('refuses a public base URL that is not an origin', () => {
    expect(() => resolveEmulatorOptions({ publicBaseUrl: 'https://eu.api.ovh.com/1.0' })).toThrow(/origin/);
  });

  it('strips a trailing slash from the public base URL', () => {
    expect(resolveEmulatorOptions({ publicBaseUrl: 'https://eu.api.ovh.com/' }).publicBaseUrl).toBe(
      'https://eu.api.ovh.com',
    );
  });
});
