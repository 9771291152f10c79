import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

// Keys sorted at every level so the same content always hashes the same,
// whatever order jsonb hands the keys back in.
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface AuditRowContent {
  seq: string;
  occurredAt: string;
  kind: 'event' | 'checkpoint';
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  objectType: string | null;
  objectId: string | null;
  accountId: string | null;
  result: string;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  metadata: Record<string, unknown>;
}

export function chainHash(prevHash: string, content: AuditRowContent): string {
  return createHash('sha256').update(prevHash).update(canonicalJson(content)).digest('hex');
}
