import { createStore } from '../lib/store';

// Where the tokens live (docs/dashboard.md, "Sessions"): the access token only in
// memory; the refresh token in sessionStorage, so a reload keeps the session but
// closing the tab ends it, and no other tab or later visitor can read it. Never localStorage.
const REFRESH_KEY = 'broker.refreshToken';

export interface Me {
  id: string;
  email: string;
  displayName?: string | null;
  role: 'admin' | 'operator' | 'auditor';
  totpEnabled?: boolean;
  twoFactorEnabled?: boolean;
  restricted?: boolean;
  [key: string]: unknown;
}

export type SessionState =
  { status: 'loading' } | { status: 'anonymous'; message?: string } | { status: 'authenticated'; me: Me };

export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  // seconds, or an absolute ISO date
  expiresIn?: number;
  accessTokenExpiresAt?: string;
  expiresAt?: string;
}

let accessToken: string | null = null;
let accessExpiresAt = 0;
let refreshing: Promise<string | null> | null = null;

function storage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

export const sessionState = createStore<SessionState>({ status: 'loading' });

function store(tokens: TokenSet): void {
  accessToken = tokens.accessToken;
  const at = tokens.accessTokenExpiresAt ?? tokens.expiresAt;
  accessExpiresAt = tokens.expiresIn
    ? Date.now() + tokens.expiresIn * 1000
    : at
      ? new Date(at).getTime()
      : Date.now() + 5 * 60_000;
  if (tokens.refreshToken) storage()?.setItem(REFRESH_KEY, tokens.refreshToken);
}

function clear(): void {
  accessToken = null;
  accessExpiresAt = 0;
  storage()?.removeItem(REFRESH_KEY);
}

async function doRefresh(): Promise<string | null> {
  const refreshToken = storage()?.getItem(REFRESH_KEY);
  if (!refreshToken) return null;
  try {
    const res = await fetch('/api/v1/auth/refresh', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ refreshToken }),
      credentials: 'same-origin',
      cache: 'no-store',
    });
    if (!res.ok) {
      // A rotated-out or revoked refresh token: forget it.
      if (res.status === 400 || res.status === 401 || res.status === 403) clear();
      return null;
    }
    store((await res.json()) as TokenSet);
    return accessToken;
  } catch {
    return null;
  }
}

export const session = {
  // Single flight: concurrent 401s share one rotation (a refresh token is single-use).
  refresh(): Promise<string | null> {
    refreshing ??= doRefresh().finally(() => {
      refreshing = null;
    });
    return refreshing;
  },

  async accessToken(): Promise<string | null> {
    if (accessToken && Date.now() < accessExpiresAt - 15_000) return accessToken;
    if (accessToken || storage()?.getItem(REFRESH_KEY)) return (await this.refresh()) ?? accessToken;
    return null;
  },

  hasRefreshToken(): boolean {
    return Boolean(storage()?.getItem(REFRESH_KEY));
  },

  signIn(tokens: TokenSet): void {
    store(tokens);
  },

  authenticated(me: Me): void {
    sessionState.set({ status: 'authenticated', me });
  },

  refreshToken(): string | null {
    return storage()?.getItem(REFRESH_KEY) ?? null;
  },

  // Ends the session locally (the caller has told the server, or the server refused us).
  expire(message?: string): void {
    const wasIn = sessionState.get().status === 'authenticated';
    clear();
    sessionState.set({ status: 'anonymous', ...(wasIn || message ? { message } : {}) });
  },
};
