import type { IncomingHttpHeaders } from 'node:http';
import {
  hashesEqual,
  looksLikeApplicationKey,
  looksLikeBearerToken,
  looksLikeConsumerKey,
  sha256Hex,
} from '@app/grants';
import { verifyOvhSignature } from '@app/ovh-protocol';
import type { CachedGrant } from './relay-lookups.service';
import { type RelayRefusal, RelayRefusals } from './relay-errors';

export interface GrantSource {
  grantByAppKey(appKey: string): Promise<CachedGrant | null>;
  grantByToken(token: string): Promise<CachedGrant | null>;
}

export interface RelayCallFacts {
  method: string;
  // The raw request target, exactly as received (already canonicalised, i.e. unambiguous).
  target: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  nowMs: number;
}

export interface RelayAuthSettings {
  publicUrl?: string;
  timestampWindowSec: number;
}

export type RelayAuthOutcome =
  | { ok: true; grant: CachedGrant; mode: 'signature' | 'bearer' }
  | { ok: false; refusal: RelayRefusal; grant?: CachedGrant };

const HOST = /^[A-Za-z0-9.\-:[\]]{1,255}$/;

// What a client may have signed: `<base URL it was configured with> + target`. We accept the
// configured RELAY_PUBLIC_URL, http://<Host header> (a client pointed at the relay directly) and
// https://<host without port> (node `ovh` always signs https://host, whatever port it uses).
// The Host header only chooses among these strings; it never decides where the call goes.
export function signedUrlCandidates(target: string, host: string | undefined, publicUrl?: string): string[] {
  const out: string[] = [];
  if (publicUrl) out.push(publicUrl + target);
  if (host && HOST.test(host)) {
    out.push(`http://${host}${target}`);
    const bare = host.replace(/:\d+$/, '');
    const https = `https://${bare}${target}`;
    if (!out.includes(https)) out.push(https);
  }
  return out;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

// Same order as the OVHcloud API (and the emulator): key, consumer key, timestamp window,
// signature. Grant state, IP and rules are decided afterwards, by the policy.
export async function authenticateRelayCall(
  facts: RelayCallFacts,
  grants: GrantSource,
  settings: RelayAuthSettings,
): Promise<RelayAuthOutcome> {
  const authorization = first(facts.headers.authorization);
  if (authorization !== undefined) {
    const match = /^Bearer ([^\s]+)$/.exec(authorization);
    if (!match || !looksLikeBearerToken(match[1]))
      return { ok: false, refusal: RelayRefusals.invalidToken() };
    const grant = await grants.grantByToken(match[1]);
    if (!grant) return { ok: false, refusal: RelayRefusals.invalidToken() };
    return { ok: true, grant, mode: 'bearer' };
  }

  const appKey = first(facts.headers['x-ovh-application']);
  const consumerKey = first(facts.headers['x-ovh-consumer']);
  const timestamp = first(facts.headers['x-ovh-timestamp']);
  const signature = first(facts.headers['x-ovh-signature']);
  if (!appKey || !consumerKey || !timestamp || !signature) {
    return { ok: false, refusal: RelayRefusals.notAuthenticated() };
  }
  const grant = looksLikeApplicationKey(appKey) ? await grants.grantByAppKey(appKey) : null;
  if (!grant) return { ok: false, refusal: RelayRefusals.invalidKey() };
  if (!looksLikeConsumerKey(consumerKey) || !hashesEqual(grant.consumerKeyHash, sha256Hex(consumerKey))) {
    return { ok: false, refusal: RelayRefusals.notCredential(), grant };
  }
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, refusal: RelayRefusals.timeOut(), grant };
  if (Math.abs(Number(timestamp) - Math.floor(facts.nowMs / 1000)) > settings.timestampWindowSec) {
    return { ok: false, refusal: RelayRefusals.timeOut(), grant };
  }
  const urls = signedUrlCandidates(facts.target, first(facts.headers.host), settings.publicUrl);
  const signed = urls.some((url) =>
    verifyOvhSignature({
      appSecret: grant.appSecret,
      consumerKey,
      method: facts.method,
      url,
      body: facts.body,
      timestamp,
      signature,
    }),
  );
  if (!signed) return { ok: false, refusal: RelayRefusals.badSignature(), grant };
  return { ok: true, grant, mode: 'signature' };
}
