import { acceptedOrigins, verifyRequestSignature } from './request-signature';

const MOCK = {
  appSecret: '9ufkBmLaTQ9nz5yMUlg79taH0GNnzDjk',
  consumerKey: '5mBuy6SUQcRw2ZUxg0cG68BoDKpED4KY',
  timestamp: '1457018875',
  target: '/1.0/auth',
};

describe('verifyRequestSignature', () => {
  const origins = acceptedOrigins('https://eu.api.ovh.com', '127.0.0.1:3100', false);

  // ovh-api.md §8: the §1.9 vectors must pass when the public base is https://eu.api.ovh.com.
  it.each([
    ['GET', '', '$1$e9556054b6309771395efa467c22e627407461ad'],
    ['POST', '{"a":"b","c":"d"}', '$1$ec2fb5c7a81f64723c77d2e5b609ae6f58a84fc1'],
    ['PUT', '{"a":"b","c":"d"}', '$1$8a75a9e7c8e7296c9dbeda6a2a735eb6bd58ec4b'],
    ['DELETE', '', '$1$a1eecd00b3b02b6cf5708b84b9ff42059a950d85'],
  ])('accepts vector %s', (method, body, signature) => {
    expect(verifyRequestSignature({ ...MOCK, origins, method, body: Buffer.from(body), signature })).toBe(
      true,
    );
  });

  it('accepts the documentation vector D', () => {
    expect(
      verifyRequestSignature({
        origins,
        target: '/1.0/domain/',
        appSecret: 'EXEgWIz07P0HYwtQDs7cNIqCiQaWSuHF',
        consumerKey: 'MtSwSrPpNjqfVSmJhLbPyr2i45lSwPU1',
        method: 'GET',
        body: Buffer.alloc(0),
        timestamp: '1366560945',
        signature: '$1$6a77f43f2871db97a029f1d1d81c4dcd3c6f7265',
      }),
    ).toBe(true);
  });

  it('refuses a vector when the public base is not among the accepted origins', () => {
    expect(
      verifyRequestSignature({
        ...MOCK,
        origins: acceptedOrigins(undefined, '127.0.0.1:3100', false),
        method: 'GET',
        body: Buffer.alloc(0),
        signature: '$1$e9556054b6309771395efa467c22e627407461ad',
      }),
    ).toBe(false);
  });
});

describe('acceptedOrigins', () => {
  it('lists the public base, the reached origin and https without port (node-ovh)', () => {
    expect(acceptedOrigins('https://eu.api.ovh.com', '127.0.0.1:3100', false)).toEqual([
      'https://eu.api.ovh.com',
      'http://127.0.0.1:3100',
      'https://127.0.0.1',
    ]);
    expect(acceptedOrigins(undefined, 'localhost:8443', true)).toEqual([
      'https://localhost:8443',
      'https://localhost',
    ]);
  });

  it('ignores a malformed Host header', () => {
    expect(acceptedOrigins(undefined, 'evil/path', false)).toEqual([]);
    expect(acceptedOrigins(undefined, undefined, false)).toEqual([]);
  });
});
