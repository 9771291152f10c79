import { Grants } from './endpoints';
import type { Me } from './session';
import type { ConsumerKey } from './types';
import { relayEndpointGuess } from '../lib/snippets';

// How the console calls the relay: it mints, through the grants API, a short-lived
// grant for the signed-in operator (the CK's rules, one hour) and sends its bearer
// token. The token stays in this tab's memory only; it is revoked when the tab
// leaves the console for another account or signs out, and expires anyway.
interface ConsoleSession {
  accountId: string;
  consumerKeyId: string;
  grantId: string;
  token: string;
  endpoint: string;
  expiresAt: number;
}

const sessions = new Map<string, ConsoleSession>();
const TTL_SECONDS = 3600;

export async function consoleSession(me: Me, accountId: string, ck: ConsumerKey): Promise<ConsoleSession> {
  const key = `${accountId}:${ck.id}`;
  const existing = sessions.get(key);
  if (existing && existing.expiresAt - Date.now() > 60_000) return existing;
  const created = await Grants.create(accountId, {
    consumerKeyId: ck.id,
    holder: { type: 'person', name: `API console: ${me.displayName || me.email}`, email: me.email },
    description: 'Minted by the dashboard API console for this browser session',
    accessRules: ck.accessRules,
    ttlSeconds: TTL_SECONDS,
  });
  const s: ConsoleSession = {
    accountId,
    consumerKeyId: ck.id,
    grantId: created.grant.id,
    token: created.credentials.bearerToken,
    endpoint: (created.credentials.endpoint ?? created.endpoint ?? relayEndpointGuess()).replace(/\/$/, ''),
    expiresAt: new Date(created.grant.expiresAt).getTime(),
  };
  sessions.set(key, s);
  return s;
}

export function forgetConsoleSessions(): void {
  for (const s of sessions.values())
    void Grants.revoke(s.accountId, s.grantId, 'console closed').catch(() => undefined);
  sessions.clear();
}

export interface ConsoleResult {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: string;
  json: unknown;
  durationMs: number;
}

export async function executeThroughRelay(
  session: ConsoleSession,
  method: string,
  pathAndQuery: string,
  body?: string,
): Promise<ConsoleResult> {
  const started = performance.now();
  let res: Response;
  try {
    res = await fetch(`${session.endpoint}${pathAndQuery}`, {
      method,
      headers: {
        Authorization: `Bearer ${session.token}`,
        Accept: 'application/json',
        ...(body ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body || undefined,
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    // fetch hides the reason on purpose; these are the two that happen in practice.
    throw new Error(
      `the browser could not reach the relay at ${new URL(session.endpoint).origin}: it is down, or it does not ` +
        `allow calls from this dashboard (CORS for ${window.location.origin})`,
    );
  }
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = undefined;
  }
  return {
    status: res.status,
    statusText: res.statusText,
    headers: [...res.headers.entries()],
    body: text,
    json,
    durationMs: Math.round(performance.now() - started),
  };
}
