import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SEED } from './default-seed';
import { loadSeedFile, SeedValidationError, validateSeed } from './emulator-seed';

describe('validateSeed', () => {
  it('accepts the default seed', () => {
    expect(validateSeed(DEFAULT_SEED)).toBe(DEFAULT_SEED);
  });

  it('lists every problem with its JSON path', () => {
    const bad = {
      applications: [
        { applicationKey: 'has space', applicationSecret: '', name: 'x' },
        { applicationKey: 'AK', applicationSecret: 'S', name: 'y', applicationId: -1 },
        { applicationKey: 'AK', applicationSecret: 'S', name: 'z' },
      ],
      accounts: [
        {
          nichandle: 'a-ovh',
          password: 'p',
          domains: [
            { zone: 'not a zone', records: [] },
            {
              zone: 'ok.com',
              records: [
                { fieldType: 'BOGUS', subDomain: '', target: 'x' },
                { fieldType: 'A', target: '' },
              ],
            },
          ],
        },
        { nichandle: 'a-ovh', password: '', domains: [{ zone: 'ok.com', records: 'x' }] },
      ],
    };
    let error: unknown;
    try {
      validateSeed(bad, 'bad.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SeedValidationError);
    const problems = (error as SeedValidationError).problems;
    expect(problems).toEqual([
      'applications[0].applicationKey: must be a non-empty string without spaces',
      'applications[0].applicationSecret: must be a non-empty string without spaces',
      'applications[1].applicationId: must be a positive integer',
      'applications[2].applicationKey: duplicate "AK"',
      'accounts[0].domains[0].zone: must be a domain name such as "example.com"',
      expect.stringMatching(/^accounts\[0\]\.domains\[1\]\.records\[0\]\.fieldType: must be one of A, AAAA/),
      'accounts[0].domains[1].records[1].target: must be a non-empty string',
      'accounts[1].nichandle: duplicate "a-ovh"',
      'accounts[1].password: must be a non-empty string',
      'accounts[1].domains[0].zone: "ok.com" is already owned by another entry',
      'accounts[1].domains[0].records: must be an array',
    ]);
    expect((error as Error).message).toContain('Invalid emulator seed (bad.json)');
  });

  it('refuses a non-object root', () => {
    expect(() => validateSeed([])).toThrow(SeedValidationError);
  });
});

describe('loadSeedFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'emu-seed-'));

  it('loads a valid file', () => {
    const path = join(dir, 'ok.json');
    writeFileSync(path, JSON.stringify(DEFAULT_SEED));
    expect(loadSeedFile(path).accounts).toHaveLength(2);
  });

  it('reports invalid JSON and missing files clearly', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{ nope');
    expect(() => loadSeedFile(path)).toThrow(/not valid JSON/);
    expect(() => loadSeedFile(join(dir, 'missing.json'))).toThrow(/cannot read file/);
  });
});
