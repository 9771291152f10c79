import type { AccessRule } from '@app/ovh-protocol';
import type {
  ApplicationRecord,
  CredentialRecord,
  CredentialStatus,
  DnsRecord,
} from './state/emulator-records';

export interface ApiCredentialView {
  credentialId: number;
  applicationId: number;
  creation: string;
  expiration: string | null;
  lastUse: string | null;
  ovhSupport: false;
  rules: AccessRule[];
  status: CredentialStatus;
  allowedIPs: string[] | null;
}

export interface ApiApplicationView {
  applicationId: number;
  applicationKey: string;
  name: string;
  description: string;
  status: ApplicationRecord['status'];
}

// ISO-8601 with an explicit offset, like the real API ("2017-07-11T08:07:49+02:00"); we use UTC.
export function ovhDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

export function credentialView(c: CredentialRecord): ApiCredentialView {
  return {
    credentialId: c.credentialId,
    applicationId: c.applicationId,
    creation: ovhDate(c.creation),
    expiration: c.expiration === null ? null : ovhDate(c.expiration),
    lastUse: c.lastUse === null ? null : ovhDate(c.lastUse),
    ovhSupport: false,
    rules: c.rules.map((r) => ({ method: r.method, path: r.path })),
    status: c.status,
    allowedIPs: c.allowedIPs ? [...c.allowedIPs] : null,
  };
}

export function applicationView(a: ApplicationRecord): ApiApplicationView {
  return {
    applicationId: a.applicationId,
    applicationKey: a.applicationKey,
    name: a.name,
    description: a.description,
    status: a.status,
  };
}

export function recordView(r: DnsRecord): DnsRecord {
  return {
    id: r.id,
    zone: r.zone,
    fieldType: r.fieldType,
    subDomain: r.subDomain,
    target: r.target,
    ttl: r.ttl,
  };
}
