import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';

// Pure envelope encryption: AES-256-GCM with a fresh random 96-bit nonce per
// encryption and a 16-byte tag that is always required in full. Nothing here
// touches the database, the keyring or the clock.

export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
export const SEALED_VERSION = 'v1';
export const WRAPPED_VERSION = 'w1';

const ALGORITHM = 'aes-256-gcm';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export interface SecretPlace {
  table: string;
  column: string;
  rowId: string;
}

export interface DataKey {
  id: string;
  key: Buffer;
}

export interface MasterKey {
  id: string;
  key: Buffer;
}

export type EnvelopeFailure = 'malformed' | 'unknown_key' | 'authentication_failed';

// Carries why, never what: no key, plaintext or ciphertext goes into it.
export class EnvelopeError extends Error {
  constructor(
    readonly reason: EnvelopeFailure,
    message: string,
  ) {
    super(message);
    this.name = 'EnvelopeError';
  }
}

export function generateDataKey(): DataKey {
  return { id: randomUUID(), key: randomBytes(KEY_BYTES) };
}

// Returns nonce | ciphertext | tag.
export function gcmEncrypt(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  assertKey(key);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

export function gcmDecrypt(key: Buffer, box: Buffer, aad: Buffer): Buffer {
  if (box.length < NONCE_BYTES + TAG_BYTES) throw new EnvelopeError('malformed', 'ciphertext too short');
  return gcmDecryptParts(
    key,
    box.subarray(0, NONCE_BYTES),
    box.subarray(NONCE_BYTES, box.length - TAG_BYTES),
    box.subarray(box.length - TAG_BYTES),
    aad,
  );
}

// Node accepts GCM tags of 4 to 16 bytes unless told otherwise; a short tag is
// a forgery shortcut, so the length is checked here and pinned in the decipher.
export function gcmDecryptParts(
  key: Buffer,
  nonce: Buffer,
  ciphertext: Buffer,
  tag: Buffer,
  aad: Buffer,
): Buffer {
  assertKey(key);
  if (nonce.length !== NONCE_BYTES)
    throw new EnvelopeError('malformed', `nonce must be ${NONCE_BYTES} bytes`);
  if (tag.length !== TAG_BYTES)
    throw new EnvelopeError('malformed', `authentication tag must be ${TAG_BYTES} bytes`);
  const decipher = createDecipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new EnvelopeError(
      'authentication_failed',
      'authentication failed (wrong key, wrong place or altered data)',
    );
  }
}

// The AAD binds a value to its data key and its place, so a ciphertext copied
// to another row, column or table no longer authenticates.
export function placeAad(dataKeyId: string, place: SecretPlace): Buffer {
  assertPlace(place);
  return lengthPrefixed([
    'ovh-broker/vault/secret',
    SEALED_VERSION,
    dataKeyId,
    place.table,
    place.column,
    place.rowId,
  ]);
}

export function wrapAad(masterKeyId: string, dataKeyId: string): Buffer {
  return lengthPrefixed(['ovh-broker/vault/data-key', WRAPPED_VERSION, masterKeyId, dataKeyId]);
}

export interface ParsedSealed {
  version: typeof SEALED_VERSION;
  keyId: string;
  box: Buffer;
}

// Text form: `v1:<data key uuid>:<base64url(nonce | ciphertext | tag)>`.
export function formatSealed(keyId: string, box: Buffer): string {
  return `${SEALED_VERSION}:${keyId}:${box.toString('base64url')}`;
}

export function parseSealed(sealed: string): ParsedSealed {
  if (typeof sealed !== 'string') throw new EnvelopeError('malformed', 'sealed value is not a string');
  const parts = sealed.split(':');
  if (parts.length !== 3) throw new EnvelopeError('malformed', 'sealed value has the wrong shape');
  const [version, keyId, body] = parts;
  if (version !== SEALED_VERSION) throw new EnvelopeError('malformed', 'unsupported sealed value version');
  if (!UUID.test(keyId)) throw new EnvelopeError('malformed', 'sealed value has an invalid key id');
  const box = decodeBase64url(body);
  if (box.length < NONCE_BYTES + TAG_BYTES) throw new EnvelopeError('malformed', 'sealed value is too short');
  return { version: SEALED_VERSION, keyId, box };
}

export function sealedKeyId(sealed: string): string {
  return parseSealed(sealed).keyId;
}

export function sealSecret(dataKey: DataKey, plaintext: string, place: SecretPlace): string {
  if (typeof plaintext !== 'string') throw new TypeError('plaintext must be a string');
  const box = gcmEncrypt(dataKey.key, Buffer.from(plaintext, 'utf8'), placeAad(dataKey.id, place));
  return formatSealed(dataKey.id, box);
}

// The caller finds the data key by the id in the value; a mismatch is an error,
// never a reason to try another key.
export function openSecret(dataKey: DataKey, sealed: string | ParsedSealed, place: SecretPlace): string {
  const parsed = typeof sealed === 'string' ? parseSealed(sealed) : sealed;
  if (parsed.keyId !== dataKey.id) throw new EnvelopeError('unknown_key', 'sealed under another data key');
  const plaintext = gcmDecrypt(dataKey.key, parsed.box, placeAad(dataKey.id, place));
  const text = plaintext.toString('utf8');
  plaintext.fill(0);
  return text;
}

// Text form: `w1:<base64url(nonce | wrapped key | tag)>`; the master key id is
// stored beside it and bound through the AAD.
export function wrapDataKey(masterKey: MasterKey, dataKey: DataKey): string {
  assertKey(dataKey.key);
  const box = gcmEncrypt(masterKey.key, dataKey.key, wrapAad(masterKey.id, dataKey.id));
  return `${WRAPPED_VERSION}:${box.toString('base64url')}`;
}

export function unwrapDataKey(masterKey: MasterKey, dataKeyId: string, wrapped: string): DataKey {
  const [version, body, ...rest] = typeof wrapped === 'string' ? wrapped.split(':') : [];
  if (version !== WRAPPED_VERSION || body === undefined || rest.length > 0) {
    throw new EnvelopeError('malformed', 'wrapped data key has the wrong shape');
  }
  const key = gcmDecrypt(masterKey.key, decodeBase64url(body), wrapAad(masterKey.id, dataKeyId));
  if (key.length !== KEY_BYTES) throw new EnvelopeError('malformed', 'wrapped data key has the wrong length');
  return { id: dataKeyId, key };
}

// Only the canonical encoding is accepted, so no two texts open to the same bytes
// (a flipped padding bit must fail like any other change).
function decodeBase64url(text: string): Buffer {
  if (!BASE64URL.test(text)) throw new EnvelopeError('malformed', 'invalid base64url');
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) throw new EnvelopeError('malformed', 'non-canonical base64url');
  return bytes;
}

function lengthPrefixed(fields: string[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of fields) {
    const bytes = Buffer.from(f, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    parts.push(len, bytes);
  }
  return Buffer.concat(parts);
}

function assertKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES)
    throw new TypeError(`keys must be ${KEY_BYTES} bytes`);
}

export function assertPlace(place: SecretPlace): void {
  for (const field of ['table', 'column', 'rowId'] as const) {
    if (typeof place?.[field] !== 'string' || place[field].length === 0) {
      throw new TypeError(`a secret's place needs a non-empty ${field}`);
    }
  }
}
