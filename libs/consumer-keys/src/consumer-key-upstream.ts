import { Injectable } from '@nestjs/common';
import {
  type AccessRule,
  type OvhBufferedResponse,
  type OvhErrorKind,
  OvhUpstreamClient,
  OvhUpstreamError,
} from '@app/ovh-protocol';

export interface SigningKeys {
  endpointBaseUrl: string;
  appKey: string;
  appSecret: string;
  consumerKey: string;
}

// 'unavailable': we could not get an answer (network, timeout, 5xx, 429): nothing is known.
export type UpstreamFailureKind = OvhErrorKind | 'unavailable';

export type UpstreamResult<T> =
  | { ok: true; status: number; value: T }
  | { ok: false; kind: UpstreamFailureKind; status?: number; message: string };

export interface CredentialRequestAnswer {
  consumerKey: string;
  validationUrl: string;
  state?: string;
}

export interface CurrentCredential {
  credentialId: number;
  applicationId?: number;
  status: string;
  rules: AccessRule[];
  creation?: string | null;
  expiration: string | null;
  lastUse: string | null;
  allowedIPs?: string[] | null;
}

const CK_PATTERN = /^[A-Za-z0-9]{16,64}$/;

// The broker's own calls to OVHcloud for the consumer-key lifecycle. No retries of
// POSTs (checklist F4); each answer is classified once, here.
@Injectable()
export class ConsumerKeyUpstream {
  constructor(private readonly client: OvhUpstreamClient) {}

  async requestCredential(
    keys: Omit<SigningKeys, 'appSecret' | 'consumerKey'>,
    body: { accessRules: AccessRule[]; redirection: string; allowedIPs: string[] | null },
  ): Promise<UpstreamResult<CredentialRequestAnswer>> {
    return this.run(
      () =>
        this.client.unauthenticatedCall({
          endpointBaseUrl: keys.endpointBaseUrl,
          appKey: keys.appKey,
          method: 'POST',
          path: '/auth/credential',
          body: JSON.stringify(body),
        }),
      (json) => {
        const v = json as Partial<CredentialRequestAnswer> | null;
        if (!v || typeof v.consumerKey !== 'string' || !CK_PATTERN.test(v.consumerKey)) return null;
        if (typeof v.validationUrl !== 'string' || !/^https?:\/\//i.test(v.validationUrl)) return null;
        return { consumerKey: v.consumerKey, validationUrl: v.validationUrl, state: v.state };
      },
    );
  }

  currentCredential(keys: SigningKeys): Promise<UpstreamResult<CurrentCredential>> {
    return this.run(
      () => this.client.call({ ...keys, method: 'GET', path: '/auth/currentCredential' }),
      (json) => {
        const v = json as Partial<CurrentCredential> | null;
        if (!v || typeof v.status !== 'string' || typeof v.credentialId !== 'number') return null;
        return {
          credentialId: v.credentialId,
          applicationId: v.applicationId,
          status: v.status,
          rules: Array.isArray(v.rules) ? v.rules : [],
          creation: v.creation ?? null,
          expiration: v.expiration ?? null,
          lastUse: v.lastUse ?? null,
          allowedIPs: v.allowedIPs ?? null,
        };
      },
    );
  }

  logout(keys: SigningKeys): Promise<UpstreamResult<null>> {
    return this.run(
      () => this.client.call({ ...keys, method: 'POST', path: '/auth/logout', retryOnClockError: true }),
      () => null,
    );
  }

  me(keys: SigningKeys): Promise<UpstreamResult<string>> {
    return this.run(
      () => this.client.call({ ...keys, method: 'GET', path: '/me' }),
      (json) => {
        const nic = (json as { nichandle?: unknown } | null)?.nichandle;
        return typeof nic === 'string' && nic ? nic : null;
      },
    );
  }

  detailsAccount(keys: SigningKeys): Promise<UpstreamResult<string>> {
    return this.run(
      () => this.client.call({ ...keys, method: 'GET', path: '/auth/details' }),
      (json) => {
        const account = (json as { account?: unknown } | null)?.account;
        return typeof account === 'string' && account ? account : null;
      },
    );
  }

  private async run<T>(
    call: () => Promise<OvhBufferedResponse>,
    parse: (json: unknown) => T | null,
  ): Promise<UpstreamResult<T>> {
    let res: OvhBufferedResponse;
    try {
      res = await call();
    } catch (e) {
      const message = e instanceof OvhUpstreamError ? e.code : 'upstream call failed';
      return { ok: false, kind: 'unavailable', message };
    }
    if (res.status >= 500 || res.status === 429) {
      return { ok: false, kind: 'unavailable', status: res.status, message: `HTTP ${res.status}` };
    }
    if (res.error || res.status >= 400) {
      return {
        ok: false,
        kind: res.error?.kind ?? 'other',
        status: res.status,
        message: (res.error?.message ?? `HTTP ${res.status}`).slice(0, 300),
      };
    }
    let json: unknown = null;
    try {
      json = res.body.length > 0 ? JSON.parse(res.body.toString('utf8')) : null;
    } catch {
      return { ok: false, kind: 'other', status: res.status, message: 'upstream answered with invalid JSON' };
    }
    const value = parse(json);
    if (value === null && json !== null) {
      return { ok: false, kind: 'other', status: res.status, message: 'unexpected upstream answer' };
    }
    return { ok: true, status: res.status, value: value as T };
  }
}
