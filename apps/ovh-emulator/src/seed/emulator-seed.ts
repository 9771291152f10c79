import { readFileSync } from 'node:fs';

export interface SeedApplication {
  applicationId?: number;
  applicationKey: string;
  applicationSecret: string;
  name: string;
  description?: string;
}

export interface SeedRecord {
  id?: number;
  fieldType: string;
  subDomain: string;
  target: string;
  ttl?: number;
}

export interface SeedDomain {
  zone: string;
  records: SeedRecord[];
}

export interface SeedAccount {
  nichandle: string;
  password: string;
  email?: string;
  firstname?: string;
  name?: string;
  country?: string;
  domains: SeedDomain[];
}

export interface EmulatorSeed {
  applications: SeedApplication[];
  accounts: SeedAccount[];
}

export class SeedValidationError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid emulator seed (${source}):\n  - ${problems.join('\n  - ')}`);
    this.name = 'SeedValidationError';
  }
}

export const DNS_FIELD_TYPES = [
  'A',
  'AAAA',
  'CAA',
  'CNAME',
  'DKIM',
  'DMARC',
  'DNAME',
  'LOC',
  'MX',
  'NAPTR',
  'NS',
  'PTR',
  'SPF',
  'SRV',
  'SSHFP',
  'TLSA',
  'TXT',
] as const;

type Json = Record<string, unknown>;

export function loadSeedFile(path: string): EmulatorSeed {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SeedValidationError(path, [`cannot read file: ${reason}`]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SeedValidationError(path, [`not valid JSON: ${reason}`]);
  }
  return validateSeed(parsed, path);
}

// Collects every problem instead of stopping at the first, so a broken seed is fixed in one go.
export function validateSeed(value: unknown, source = 'seed'): EmulatorSeed {
  const problems: string[] = [];
  const root = asObject(value, '(root)', problems);
  if (!root) throw new SeedValidationError(source, problems);

  const applications = asArray(root.applications, 'applications', problems);
  const keys = new Set<string>();
  const appIds = new Set<number>();
  applications.forEach((app, i) => {
    const at = `applications[${i}]`;
    const obj = asObject(app, at, problems);
    if (!obj) return;
    const key = token(obj.applicationKey, `${at}.applicationKey`, problems);
    token(obj.applicationSecret, `${at}.applicationSecret`, problems);
    text(obj.name, `${at}.name`, problems);
    optionalText(obj.description, `${at}.description`, problems);
    const id = optionalId(obj.applicationId, `${at}.applicationId`, problems);
    if (key && keys.has(key)) problems.push(`${at}.applicationKey: duplicate "${key}"`);
    if (key) keys.add(key);
    if (id !== undefined && appIds.has(id)) problems.push(`${at}.applicationId: duplicate ${id}`);
    if (id !== undefined) appIds.add(id);
  });

  const accounts = asArray(root.accounts, 'accounts', problems);
  const nics = new Set<string>();
  const zones = new Set<string>();
  const recordIds = new Set<number>();
  accounts.forEach((account, i) => {
    const at = `accounts[${i}]`;
    const obj = asObject(account, at, problems);
    if (!obj) return;
    const nic = token(obj.nichandle, `${at}.nichandle`, problems);
    if (nic && nics.has(nic)) problems.push(`${at}.nichandle: duplicate "${nic}"`);
    if (nic) nics.add(nic);
    text(obj.password, `${at}.password`, problems);
    for (const field of ['email', 'firstname', 'name', 'country'])
      optionalText(obj[field], `${at}.${field}`, problems);
    asArray(obj.domains, `${at}.domains`, problems).forEach((domain, j) => {
      const dAt = `${at}.domains[${j}]`;
      const dObj = asObject(domain, dAt, problems);
      if (!dObj) return;
      const zone = typeof dObj.zone === 'string' ? dObj.zone : undefined;
      if (!zone || !/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(zone) || !zone.includes('.')) {
        problems.push(`${dAt}.zone: must be a domain name such as "example.com"`);
      } else if (zones.has(zone)) {
        problems.push(`${dAt}.zone: "${zone}" is already owned by another entry`);
      } else {
        zones.add(zone);
      }
      asArray(dObj.records, `${dAt}.records`, problems).forEach((record, k) => {
        const rAt = `${dAt}.records[${k}]`;
        const rObj = asObject(record, rAt, problems);
        if (!rObj) return;
        const problem = recordProblem(rObj);
        if (problem) problems.push(`${rAt}.${problem}`);
        const id = optionalId(rObj.id, `${rAt}.id`, problems);
        if (id !== undefined && recordIds.has(id)) problems.push(`${rAt}.id: duplicate ${id}`);
        if (id !== undefined) recordIds.add(id);
      });
    });
  });

  if (problems.length > 0) throw new SeedValidationError(source, problems);
  return value as EmulatorSeed;
}

// Shared with the record routes so the seed and the API accept exactly the same records.
export function recordProblem(record: Json): string | null {
  if (
    typeof record.fieldType !== 'string' ||
    !(DNS_FIELD_TYPES as readonly string[]).includes(record.fieldType)
  ) {
    return `fieldType: must be one of ${DNS_FIELD_TYPES.join(', ')}`;
  }
  if (
    record.subDomain !== undefined &&
    (typeof record.subDomain !== 'string' || /[\s/]/.test(record.subDomain))
  ) {
    return 'subDomain: must be a string without spaces or slashes';
  }
  if (typeof record.target !== 'string' || record.target.length === 0 || record.target.length > 4096) {
    return 'target: must be a non-empty string';
  }
  if (record.ttl !== undefined && (!Number.isInteger(record.ttl) || (record.ttl as number) < 0)) {
    return 'ttl: must be a non-negative integer';
  }
  return null;
}

function asObject(value: unknown, at: string, problems: string[]): Json | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${at}: must be an object`);
    return null;
  }
  return value as Json;
}

function asArray(value: unknown, at: string, problems: string[]): unknown[] {
  if (!Array.isArray(value)) {
    problems.push(`${at}: must be an array`);
    return [];
  }
  return value;
}

function token(value: unknown, at: string, problems: string[]): string | undefined {
  if (typeof value !== 'string' || !/^[\x21-\x7e]+$/.test(value)) {
    problems.push(`${at}: must be a non-empty string without spaces`);
    return undefined;
  }
  return value;
}

function text(value: unknown, at: string, problems: string[]): void {
  if (typeof value !== 'string' || value.length === 0) problems.push(`${at}: must be a non-empty string`);
}

function optionalText(value: unknown, at: string, problems: string[]): void {
  if (value !== undefined && typeof value !== 'string') problems.push(`${at}: must be a string`);
}

function optionalId(value: unknown, at: string, problems: string[]): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || (value as number) <= 0) {
    problems.push(`${at}: must be a positive integer`);
    return undefined;
  }
  return value as number;
}
