import fc from 'fast-check';
import {
  type AuditRowContent,
  canonicalJson,
  chainHash,
  chainHashOfText,
  prepareRowText,
  rowText,
} from './audit-hash';

// The first implementation, kept as the reference: rows already in audit_events were hashed
// with it, so any faster one must give the very same text.
function referenceCanonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(referenceCanonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${referenceCanonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const text = fc.option(fc.string({ unit: 'binary' }), { nil: null });
const content: fc.Arbitrary<AuditRowContent> = fc.record({
  seq: fc.bigInt({ min: 1n, max: 2n ** 62n }).map(String),
  occurredAt: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  kind: fc.constantFrom('event' as const, 'checkpoint' as const),
  actorType: fc.constantFrom('operator', 'grant', 'system'),
  actorId: text,
  actorLabel: text,
  action: fc.string(),
  objectType: text,
  objectId: text,
  accountId: text,
  result: fc.constantFrom('success', 'failure', 'denied'),
  ip: text,
  userAgent: text,
  requestId: text,
  metadata: fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue()),
});

describe('audit row hashing', () => {
  it('canonicalises any JSON value exactly as the reference does, whatever the key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(referenceCanonicalJson(value));
      }),
      { numRuns: 500 },
    );
    const shuffled = { b: [1, { z: 1, a: undefined, y: new Date(0) }], a: 'x', '\u00e9': null, Z: 2 };
    expect(canonicalJson(shuffled)).toBe(referenceCanonicalJson(shuffled));
    expect(canonicalJson(shuffled)).toBe(
      '{"Z":2,"a":"x","b":[1,{"y":"1970-01-01T00:00:00.000Z","z":1}],"é":null}',
    );
  });

  it('gives a prepared row, once seq and time are spliced in, the text and hash of the whole row', () => {
    fc.assert(
      fc.property(
        content,
        fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }),
        (row, prev) => {
          const joined = rowText(prepareRowText(row), row.occurredAt, row.seq);
          expect(joined).toBe(referenceCanonicalJson(row));
          expect(chainHashOfText(prev, joined)).toBe(chainHash(prev, row));
        },
      ),
      { numRuns: 300 },
    );
  });
});
