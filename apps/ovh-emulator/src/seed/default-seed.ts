import type { EmulatorSeed } from './emulator-seed';

// Sandbox values only: they exist nowhere but in this emulator.
export const DEFAULT_SEED: EmulatorSeed = {
  applications: [
    {
      applicationId: 1001,
      applicationKey: 'EmuSandboxAppKey',
      applicationSecret: 'EmuSandboxSecret0123456789abcdef',
      name: 'Sandbox broker',
      description: 'Default application of the OVH emulator',
    },
    {
      applicationId: 1002,
      applicationKey: 'EmuOtherAppKey02',
      applicationSecret: 'EmuOtherSecret00123456789abcdef0',
      name: 'Other application',
      description: 'A second application, to test keys used with the wrong application',
    },
  ],
  accounts: [
    {
      nichandle: 'xx1111-ovh',
      password: 'emulator-pass-1',
      email: 'alice@example.com',
      firstname: 'Alice',
      name: 'Martin',
      country: 'FR',
      domains: [
        {
          zone: 'example.com',
          records: [
            { id: 5000001, fieldType: 'A', subDomain: '', target: '192.0.2.10', ttl: 3600 },
            { id: 5000002, fieldType: 'A', subDomain: 'www', target: '192.0.2.10', ttl: 3600 },
            { id: 5000003, fieldType: 'MX', subDomain: '', target: '10 mx1.example.com.', ttl: 3600 },
            { id: 5000004, fieldType: 'TXT', subDomain: '', target: '"v=spf1 -all"', ttl: 3600 },
          ],
        },
        {
          zone: 'example.net',
          records: [{ id: 5000005, fieldType: 'CNAME', subDomain: 'www', target: 'example.com.', ttl: 0 }],
        },
      ],
    },
    {
      nichandle: 'yy2222-ovh',
      password: 'emulator-pass-2',
      email: 'bob@other.org',
      firstname: 'Bob',
      name: 'Durand',
      country: 'CA',
      domains: [
        {
          zone: 'other.org',
          records: [{ id: 6000001, fieldType: 'A', subDomain: 'api', target: '198.51.100.7', ttl: 600 }],
        },
      ],
    },
  ],
};
