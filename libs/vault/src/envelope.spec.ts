import { createCipheriv, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  EnvelopeError,
  formatSealed,
  gcmDecrypt,
  gcmDecryptParts,
  gcmEncrypt,
  generateDataKey,
  NONCE_BYTES,
  openSecret,
  parseSealed,
  placeAad,
  sealSecret,
  type SecretPlace,
  TAG_BYTES,
  unwrapDataKey,
  wrapDataKey,
} from './envelope';

const place: SecretPlace = {
  table: 'application_keys',
  column: 'secret_ct',
  rowId: '7f1d7c1e-7a51-4c43-9a41-0b3d2e6f8a10',
};
const CANARY = 'CANARY-as-3f9a1c-secret';

function expectEnvelopeError(fn: () => unknown, reason?: EnvelopeError['reason']): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(EnvelopeError);
  if (reason) expect((thrown as EnvelopeError).reason).toBe(reason);
  expect(String((thrown as Error).message)).not.toContain(CANARY);
}

describe('envelope', () => {
  const dek = generateDataKey();

  describe('round trip', () => {
    it('opens what it sealed, for any text and any place', () => {
      fc.assert(
        fc.property(
          fc.string({ unit: 'grapheme', maxLength: 300 }),
          fc.record({
            table: fc.stringMatching(/^[a-z_]{1,20}$/),
            column: fc.stringMatching(/^[a-z_]{1,20}$/),
            rowId: fc.uuid(),
          }),
          (text, where) => {
            const sealed = sealSecret(dek, text, where);
            expect(openSecret(dek, sealed, where)).toBe(text);
          },
        ),
        { seed: 4242, numRuns: 300 },
      );
    });

    it('produces a versioned text value carrying the data key id', () => {
      const sealed = sealSecret(dek, CANARY, place);
      expect(sealed).toMatch(new RegExp(`^v1:${dek.id}:[A-Za-z0-9_-]+$`));
      expect(parseSealed(sealed).keyId).toBe(dek.id);
      expect(sealed).not.toContain(CANARY);
      expect(Buffer.from(sealed.split(':')[2], 'base64url').toString('latin1')).not.toContain(CANARY);
    });

    it('seals the same text differently every time (fresh nonce)', () => {
      expect(sealSecret(dek, CANARY, place)).not.toBe(sealSecret(dek, CANARY, place));
    });
  });

  describe('C1: the value is bound to its place', () => {
    it.each([
      ['another row', { ...place, rowId: '00000000-0000-4000-8000-000000000000' }],
      ['another column', { ...place, column: 'consumer_key_ct' }],
      ['another table', { ...place, table: 'consumer_keys' }],
      [
        'fields shifted between table and column',
        { ...place, table: 'application_keyss', column: 'ecret_ct' },
      ],
    ])('fails to open when moved to %s', (_label, elsewhere) => {
      const sealed = sealSecret(dek, CANARY, place);
      expectEnvelopeError(() => openSecret(dek, sealed, elsewhere), 'authentication_failed');
    });

    it('encodes the place unambiguously (no concatenation collisions)', () => {
      expect(placeAad(dek.id, { table: 'ab', column: 'c', rowId: '1' })).not.toEqual(
        placeAad(dek.id, { table: 'a', column: 'bc', rowId: '1' }),
      );
    });
  });

  describe('C2: every altered position fails closed', () => {
    it('rejects every single-character change of the text value', () => {
      const sealed = sealSecret(dek, CANARY, place);
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_:';
      for (let i = 0; i < sealed.length; i++) {
        for (const replacement of [alphabet[(alphabet.indexOf(sealed[i]) + 1) % alphabet.length], 'A', '0']) {
          if (replacement === sealed[i]) continue;
          const altered = sealed.slice(0, i) + replacement + sealed.slice(i + 1);
          expectEnvelopeError(() => openSecret(dek, altered, place));
        }
      }
    });

    it('rejects every flipped bit of the binary body (nonce, ciphertext, tag)', () => {
      const sealed = sealSecret(dek, CANARY, place);
      const { box } = parseSealed(sealed);
      for (let i = 0; i < box.length; i++) {
        for (const bit of [0x01, 0x80]) {
          const altered = Buffer.from(box);
          altered[i] ^= bit;
          expectEnvelopeError(
            () => openSecret(dek, formatSealed(dek.id, altered), place),
            'authentication_failed',
          );
        }
      }
    });

    it('rejects a value whose key id names another data key, never trying another key', () => {
      const other = generateDataKey();
      const sealed = sealSecret(dek, CANARY, place);
      expectEnvelopeError(() => openSecret(other, sealed, place), 'unknown_key');
      // same bytes relabelled with the other key's id: the AAD binds the key id too
      expectEnvelopeError(() => openSecret(other, formatSealed(other.id, parseSealed(sealed).box), place));
    });

    it('rejects a wrong key with the right id', () => {
      const sealed = sealSecret(dek, CANARY, place);
      expectEnvelopeError(
        () => openSecret({ id: dek.id, key: randomBytes(32) }, sealed, place),
        'authentication_failed',
      );
    });

    it.each([
      '',
      'v1',
      'v1::',
      'v2:x:y',
      `v1:${'0'.repeat(36)}:AAAA`,
      `v1:${generateDataKey().id}:AAAA`,
      'v1:a:b:c',
    ])('rejects the malformed value %p', (bad) => expectEnvelopeError(() => parseSealed(bad), 'malformed'));
  });

  describe('C3: the authentication tag is required in full', () => {
    const key = randomBytes(32);
    const aad = Buffer.from('aad');
    const box = gcmEncrypt(key, Buffer.from(CANARY), aad);
    const nonce = box.subarray(0, NONCE_BYTES);
    const body = box.subarray(NONCE_BYTES, box.length - TAG_BYTES);
    const tag = box.subarray(box.length - TAG_BYTES);

    it('accepts the full 16-byte tag', () => {
      expect(gcmDecryptParts(key, nonce, body, tag, aad).toString()).toBe(CANARY);
    });

    it.each([12, 8, 4, 0])('rejects a tag truncated to %i bytes', (n) => {
      expectEnvelopeError(() => gcmDecryptParts(key, nonce, body, tag.subarray(0, n), aad), 'malformed');
    });

    it('rejects a truncated tag even when the truncated tag is genuine (what node accepts by default)', () => {
      // a 12-byte prefix of a real tag is what node would verify without authTagLength
      const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 12 });
      cipher.setAAD(aad);
      const ct = Buffer.concat([cipher.update(CANARY), cipher.final()]);
      const shortTag = cipher.getAuthTag();
      expectEnvelopeError(() => gcmDecryptParts(key, nonce, ct, shortTag, aad), 'malformed');
    });

    it.each([4, 8, 12, 16])('rejects a sealed value with its last %i bytes cut off', (n) => {
      const sealed = sealSecret(dek, CANARY, place);
      const { box: full } = parseSealed(sealed);
      expectEnvelopeError(() =>
        openSecret(dek, formatSealed(dek.id, full.subarray(0, full.length - n)), place),
      );
    });

    it('rejects a box shorter than nonce + tag', () => {
      expectEnvelopeError(
        () => gcmDecrypt(key, box.subarray(0, NONCE_BYTES + TAG_BYTES - 1), aad),
        'malformed',
      );
    });
  });

  describe('C5: nonces never repeat', () => {
    it('property: no two encryptions share a nonce', () => {
      const seen = new Set<string>();
      fc.assert(
        fc.property(fc.string({ maxLength: 64 }), (text) => {
          const nonce = parseSealed(sealSecret(dek, text, place))
            .box.subarray(0, NONCE_BYTES)
            .toString('hex');
          expect(seen.has(nonce)).toBe(false);
          seen.add(nonce);
        }),
        { seed: 7, numRuns: 5000 },
      );
    });

    it('100 000 encryptions under one key give 100 000 distinct 96-bit nonces', () => {
      const key = randomBytes(32);
      const seen = new Set<string>();
      const pt = Buffer.from(CANARY);
      const aad = Buffer.alloc(0);
      for (let i = 0; i < 100_000; i++)
        seen.add(gcmEncrypt(key, pt, aad).subarray(0, NONCE_BYTES).toString('base64'));
      expect(seen.size).toBe(100_000);
    });
  });

  describe('data key wrapping', () => {
    const kek = { id: 'k1', key: randomBytes(32) };

    it('unwraps what it wrapped', () => {
      const wrapped = wrapDataKey(kek, dek);
      expect(wrapped).toMatch(/^w1:[A-Za-z0-9_-]+$/);
      expect(unwrapDataKey(kek, dek.id, wrapped).key.equals(dek.key)).toBe(true);
    });

    it('fails with a wrong master key, another master key id, or under another data key id (C4)', () => {
      const wrapped = wrapDataKey(kek, dek);
      expectEnvelopeError(
        () => unwrapDataKey({ id: 'k1', key: randomBytes(32) }, dek.id, wrapped),
        'authentication_failed',
      );
      expectEnvelopeError(
        () => unwrapDataKey({ id: 'k2', key: kek.key }, dek.id, wrapped),
        'authentication_failed',
      );
      expectEnvelopeError(() => unwrapDataKey(kek, generateDataKey().id, wrapped), 'authentication_failed');
    });

    it('rejects every flipped byte of a wrapped key', () => {
      const wrapped = wrapDataKey(kek, dek);
      const box = Buffer.from(wrapped.slice(3), 'base64url');
      for (let i = 0; i < box.length; i++) {
        const altered = Buffer.from(box);
        altered[i] ^= 0x40;
        expectEnvelopeError(() => unwrapDataKey(kek, dek.id, `w1:${altered.toString('base64url')}`));
      }
      expectEnvelopeError(() => unwrapDataKey(kek, dek.id, `w2:${wrapped.slice(3)}`), 'malformed');
    });
  });
});
