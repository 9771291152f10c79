import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { AccessRule } from '@app/ovh-protocol';
import { EMULATOR_OPTIONS, type ResolvedEmulatorOptions } from '../emulator-options';
import { EmulatorClock } from './emulator-clock';
import type {
  AccountRecord,
  ApplicationRecord,
  CredentialRecord,
  DnsRecord,
  ZoneRecord,
} from './emulator-records';

const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export const DEFAULT_VALIDITY_SECONDS = 86_400;

export class EmulatorStateError extends Error {
  constructor(
    readonly code: 'UNKNOWN_CREDENTIAL' | 'NOT_PENDING' | 'UNKNOWN_ACCOUNT' | 'BAD_VALIDITY',
    message: string,
  ) {
    super(message);
    this.name = 'EmulatorStateError';
  }
}

// In-memory accounts, applications, credentials and DNS zones, rebuilt from the seed by reset().
@Injectable()
export class EmulatorStateService {
  readonly applications = new Map<string, ApplicationRecord>();
  readonly accounts = new Map<string, AccountRecord>();
  readonly credentials = new Map<string, CredentialRecord>();
  private nextCredentialId = 1;
  private nextRecordId = 1;
  private nextApplicationId = 1;

  constructor(
    @Inject(EMULATOR_OPTIONS) private readonly options: ResolvedEmulatorOptions,
    private readonly clock: EmulatorClock,
  ) {
    this.reset();
  }

  reset(): void {
    this.applications.clear();
    this.accounts.clear();
    this.credentials.clear();
    const seed = this.options.seed;
    this.nextApplicationId = Math.max(1000, ...seed.applications.map((a) => a.applicationId ?? 0)) + 1;
    this.nextCredentialId = 100_000_001;
    const seededRecordIds = seed.accounts.flatMap((a) =>
      a.domains.flatMap((d) => d.records.map((r) => r.id ?? 0)),
    );
    this.nextRecordId = Math.max(5_000_000, ...seededRecordIds) + 1;
    const now = this.clock.nowMs();
    for (const app of seed.applications) {
      this.applications.set(app.applicationKey, {
        applicationId: app.applicationId ?? this.nextApplicationId++,
        applicationKey: app.applicationKey,
        applicationSecret: app.applicationSecret,
        name: app.name,
        description: app.description ?? '',
        status: 'active',
      });
    }
    for (const account of seed.accounts) {
      const zones = new Map<string, ZoneRecord>();
      for (const domain of account.domains) {
        const records = new Map<number, DnsRecord>();
        for (const r of domain.records) {
          const id = r.id ?? this.nextRecordId++;
          records.set(id, {
            id,
            zone: domain.zone,
            fieldType: r.fieldType,
            subDomain: r.subDomain ?? '',
            target: r.target,
            ttl: r.ttl ?? 0,
          });
        }
        zones.set(domain.zone, { name: domain.zone, lastUpdate: now, records });
      }
      this.accounts.set(account.nichandle, {
        nichandle: account.nichandle,
        password: account.password,
        email: account.email ?? `${account.nichandle}@example.invalid`,
        firstname: account.firstname ?? 'Test',
        name: account.name ?? 'Account',
        country: account.country ?? 'FR',
        zones,
      });
    }
  }

  findApplicationById(applicationId: number): ApplicationRecord | undefined {
    return [...this.applications.values()].find((a) => a.applicationId === applicationId);
  }

  createCredential(
    application: ApplicationRecord,
    rules: AccessRule[],
    redirection: string | null,
    allowedIPs: string[] | null,
    fixedConsumerKey?: string,
  ): CredentialRecord {
    const credential: CredentialRecord = {
      credentialId: this.nextCredentialId++,
      applicationId: application.applicationId,
      // A fixed key lets tests replay published signature vectors.
      consumerKey: fixedConsumerKey ?? randomString(32),
      credentialToken: randomString(64),
      status: 'pendingValidation',
      rules: rules.map((r) => ({ method: r.method, path: r.path })),
      allowedIPs,
      redirection,
      nichandle: null,
      creation: this.clock.nowMs(),
      expiration: null,
      lastUse: null,
    };
    this.credentials.set(credential.consumerKey, credential);
    return credential;
  }

  findByToken(token: string): CredentialRecord | undefined {
    return [...this.credentials.values()].find((c) => c.credentialToken === token);
  }

  // Validity null means unlimited.
  validateCredential(
    consumerKey: string,
    nichandle: string,
    validitySeconds: number | null,
  ): CredentialRecord {
    const credential = this.pending(consumerKey);
    if (!this.accounts.has(nichandle)) {
      throw new EmulatorStateError('UNKNOWN_ACCOUNT', `Unknown account "${nichandle}"`);
    }
    if (validitySeconds !== null && (!Number.isInteger(validitySeconds) || validitySeconds <= 0)) {
      throw new EmulatorStateError('BAD_VALIDITY', 'validitySeconds must be a positive integer or null');
    }
    const now = this.clock.nowMs();
    credential.status = 'validated';
    credential.nichandle = nichandle;
    credential.expiration = validitySeconds === null ? null : now + validitySeconds * 1000;
    return credential;
  }

  refuseCredential(consumerKey: string): CredentialRecord {
    const credential = this.pending(consumerKey);
    credential.status = 'refused';
    return credential;
  }

  // Lazily turns a validated credential whose expiration passed into "expired".
  refreshStatus(credential: CredentialRecord): CredentialRecord {
    if (
      credential.status === 'validated' &&
      credential.expiration !== null &&
      credential.expiration <= this.clock.nowMs()
    ) {
      credential.status = 'expired';
    }
    return credential;
  }

  expireCredential(credential: CredentialRecord): void {
    credential.status = 'expired';
    credential.expiration = this.clock.nowMs();
  }

  credentialsOf(nichandle: string): CredentialRecord[] {
    return [...this.credentials.values()]
      .filter((c) => c.nichandle === nichandle)
      .map((c) => this.refreshStatus(c))
      .sort((a, b) => a.credentialId - b.credentialId);
  }

  deleteCredential(consumerKey: string): void {
    this.credentials.delete(consumerKey);
  }

  newRecordId(): number {
    return this.nextRecordId++;
  }

  private pending(consumerKey: string): CredentialRecord {
    const credential = this.credentials.get(consumerKey);
    if (!credential) throw new EmulatorStateError('UNKNOWN_CREDENTIAL', 'Unknown consumer key');
    if (credential.status !== 'pendingValidation') {
      throw new EmulatorStateError(
        'NOT_PENDING',
        `Credential is ${credential.status}, not pendingValidation`,
      );
    }
    return credential;
  }
}

function randomString(length: number): string {
  // Rejection sampling keeps the alphabet uniform.
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHANUM[byte % 62];
    }
  }
  return out;
}
