import type { AccessRule, ConsumerKey, KeySummary } from '../api/types';

export const EXPIRING_SOON_MS = 14 * 86_400_000;

export function ckExpiry(ck: ConsumerKey): string | null {
  if (ck.expiresAt) return ck.expiresAt;
  const dates = [ck.upstreamExpiresAt, ck.policyExpiresAt].filter((d): d is string => Boolean(d));
  if (dates.length === 0) return null;
  return dates.sort((a, b) => new Date(a).getTime() - new Date(b).getTime())[0];
}

// The state an operator cares about: a validated key close to its end is "expiring soon".
export function ckDisplayState(ck: ConsumerKey, now = Date.now()): string {
  if (ck.state !== 'validated') return ck.state;
  const exp = ckExpiry(ck);
  if (exp && new Date(exp).getTime() - now < EXPIRING_SOON_MS) return 'expiringSoon';
  return 'validated';
}

export function summarise(keys: ConsumerKey[], now = Date.now()): KeySummary {
  const s: KeySummary = {
    validated: 0,
    pending: 0,
    expiringSoon: 0,
    expired: 0,
    total: keys.length,
    nextExpiry: null,
  };
  for (const ck of keys) {
    const state = ckDisplayState(ck, now);
    if (state === 'validated') s.validated!++;
    else if (state === 'expiringSoon') s.expiringSoon!++;
    else if (state === 'pendingValidation' || state === 'requesting') s.pending!++;
    else if (state === 'expired') s.expired!++;
    const exp = ckExpiry(ck);
    if ((state === 'validated' || state === 'expiringSoon') && exp && (!s.nextExpiry || exp < s.nextExpiry))
      s.nextExpiry = exp;
  }
  return s;
}

export function ruleText(r: AccessRule): string {
  return `${r.method} ${r.path}`;
}

export function parseIpList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}
