// Three tiers, one command: `npm test` runs them all. Integration and e2e
// share a real Postgres database created for the run by test/setup/global-setup.ts.
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

const base = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  transform: { '^.+\\.ts$': ['ts-jest', {}] },
  testEnvironment: 'node',
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
};

module.exports = {
  // a global option (ignored inside projects); e2e suites boot apps on a busy 2-core machine
  testTimeout: 60000,
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  projects: [
    {
      ...base,
      displayName: 'unit',
      rootDir: __dirname,
      roots: ['<rootDir>/apps/', '<rootDir>/libs/'],
      testRegex: '\\.spec\\.ts$',
    },
    {
      ...base,
      displayName: 'integration',
      rootDir: __dirname,
      roots: ['<rootDir>/test/'],
      testRegex: '\\.int-spec\\.ts$',
    },
    {
      ...base,
      displayName: 'e2e',
      rootDir: __dirname,
      roots: ['<rootDir>/test/'],
      testRegex: '\\.e2e-spec\\.ts$',
    },
  ],
};
