import type { AccessRule } from '@app/ovh-protocol';

export type CredentialStatus = 'pendingValidation' | 'validated' | 'refused' | 'expired';

export interface ApplicationRecord {
  applicationId: number;
  applicationKey: string;
  applicationSecret: string;
  name: string;
  description: string;
  status: 'active' | 'blocked' | 'inactive' | 'trusted';
}

export interface CredentialRecord {
  credentialId: number;
  applicationId: number;
  consumerKey: string;
  credentialToken: string;
  status: CredentialStatus;
  rules: AccessRule[];
  allowedIPs: string[] | null;
  redirection: string | null;
  nichandle: string | null;
  creation: number;
  expiration: number | null;
  lastUse: number | null;
}

export interface DnsRecord {
  id: number;
  zone: string;
  fieldType: string;
  subDomain: string;
  target: string;
  ttl: number;
}

export interface ZoneRecord {
  name: string;
  lastUpdate: number;
  records: Map<number, DnsRecord>;
}

export interface AccountRecord {
  nichandle: string;
  password: string;
  email: string;
  firstname: string;
  name: string;
  country: string;
  zones: Map<string, ZoneRecord>;
}
