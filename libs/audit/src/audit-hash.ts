import { hash } from 'node:crypto';
import { MemoTable } from '@app/common';

export const GENESIS_HASH = '0'.repeat(64);

// Keys sorted at every level so the same content always hashes the same,
// whatever order jsonb hands the keys back in. (Array.prototype.sort's default order compares
// UTF-16 code units, as `<` on strings does.)
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (isFlatAndSorted(record, keys)) return JSON.stringify(record);
  let out = '{';
  for (const key of keys.sort()) {
    const v = record[key];
    if (v === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${quotedKey(key)}${canonicalJson(v)}`;
  }
  return `${out}}`;
}

// An object whose keys are already in order and whose values are all strings, finite numbers,
// booleans or null: JSON.stringify keeps insertion order and renders those values as
// canonicalJson does, natively and much faster (the relay builds its call metadata this way).
function isFlatAndSorted(record: Record<string, unknown>, keys: string[]): boolean {
  for (let i = 0; i < keys.length; i++) {
    if (i > 0 && !(keys[i - 1] < keys[i])) return false;
    const v = record[keys[i]];
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number' && Number.isFinite(v)) continue;
    return false;
  }
  return true;
}

// The same few keys come back on every event: their JSON-quoted form is kept.
const QUOTED_KEYS = new MemoTable<string>(4096);
const quote = (key: string) => `${JSON.stringify(key)}:`;
const quotedKey = (key: string) => QUOTED_KEYS.get(key, quote);

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
  return chainHashOfText(prevHash, canonicalJson(content));
}

// The canonical text of a row is known as soon as the event is, except for its seq and
// occurredAt, which are given when it is appended under the chain lock. Writers with many events
// (the relay) prepare that text beforehand, so the locked append only splices in the two values
// and hashes: rowText(prepareRowText(c), c.occurredAt, c.seq) === canonicalJson(c).
export interface PreparedRowText {
  beforeOccurredAt: string;
  beforeSeq: string;
  afterSeq: string;
}

const text = (v: string | null) => (v === null ? 'null' : JSON.stringify(v));

export function prepareRowText(
  c: Omit<AuditRowContent, 'seq' | 'occurredAt'>,
  metadataText = canonicalJson(c.metadata),
): PreparedRowText {
  return {
    beforeOccurredAt:
      `{"accountId":${text(c.accountId)},"action":${text(c.action)},"actorId":${text(c.actorId)},` +
      `"actorLabel":${text(c.actorLabel)},"actorType":${text(c.actorType)},"ip":${text(c.ip)},` +
      `"kind":${text(c.kind)},"metadata":${metadataText},"objectId":${text(c.objectId)},` +
      `"objectType":${text(c.objectType)},"occurredAt":`,
    beforeSeq: `,"requestId":${text(c.requestId)},"result":${text(c.result)},"seq":`,
    afterSeq: `,"userAgent":${text(c.userAgent)}}`,
  };
}

export function rowText(prepared: PreparedRowText, occurredAt: string, seq: string): string {
  return `${prepared.beforeOccurredAt}${JSON.stringify(occurredAt)}${prepared.beforeSeq}${JSON.stringify(seq)}${prepared.afterSeq}`;
}

export function chainHashOfText(prevHash: string, rowCanonicalText: string): string {
  // prevHash is hex (ASCII): hashing the joined string gives the same bytes as two updates
  return hash('sha256', prevHash + rowCanonicalText, 'hex');
}
