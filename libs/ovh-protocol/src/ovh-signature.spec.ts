import { computeOvhSignature, verifyOvhSignature } from './ovh-signature';

const MOCK = {
  appSecret: '9ufkBmLaTQ9nz5yMUlg79taH0GNnzDjk',
  consumerKey: '5mBuy6SUQcRw2ZUxg0cG68BoDKpED4KY',
  url: 'https://eu.api.ovh.com/1.0/auth',
  timestamp: 1457018875,
};

describe('computeOvhSignature', () => {
  // ovh-api.md §1.9 A1-A4 (python-ovh, go-ovh and php-ovh shared vectors).
  it.each([
    ['A1', 'GET', '', '$1$e9556054b6309771395efa467c22e627407461ad'],
    ['A2', 'POST', '{"a":"b","c":"d"}', '$1$ec2fb5c7a81f64723c77d2e5b609ae6f58a84fc1'],
    ['A3', 'PUT', '{"a":"b","c":"d"}', '$1$8a75a9e7c8e7296c9dbeda6a2a735eb6bd58ec4b'],
    ['A4', 'DELETE', '', '$1$a1eecd00b3b02b6cf5708b84b9ff42059a950d85'],
  ])('matches vector %s (%s)', (_id, method, body, expected) => {
    expect(computeOvhSignature({ ...MOCK, method, body })).toBe(expected);
  });

  it('matches the documentation example (vector D)', () => {
    expect(
      computeOvhSignature({
        appSecret: 'EXEgWIz07P0HYwtQDs7cNIqCiQaWSuHF',
        consumerKey: 'MtSwSrPpNjqfVSmJhLbPyr2i45lSwPU1',
        method: 'GET',
        url: 'https://eu.api.ovh.com/1.0/domain/',
        body: '',
        timestamp: '1366560945',
      }),
    ).toBe('$1$6a77f43f2871db97a029f1d1d81c4dcd3c6f7265');
  });

  // Golden vector computed outside Node, so a shared bug in signer and verifier cannot hide:
  // printf '%s' 'S3cr3tAppSecretValue0123456789ab+CKconsumerKeyValue0123456789abc+POST+http://127.0.0.1:3100/v2/domain/zone/example.com/record?fieldType=TXT&x=%C3%A9+{"target":"tèsté","ttl":60}+1700000000' | sha1sum
  // → 2bb59803c40eac8e9dcc94e19d2ee36a9a128829
  const golden = {
    appSecret: 'S3cr3tAppSecretValue0123456789ab',
    consumerKey: 'CKconsumerKeyValue0123456789abc',
    method: 'POST',
    url: 'http://127.0.0.1:3100/v2/domain/zone/example.com/record?fieldType=TXT&x=%C3%A9',
    timestamp: 1700000000,
  };
  const goldenSignature = '$1$2bb59803c40eac8e9dcc94e19d2ee36a9a128829';

  it('matches an independently computed golden vector with a UTF-8 body (string)', () => {
    expect(computeOvhSignature({ ...golden, body: '{"target":"tèsté","ttl":60}' })).toBe(goldenSignature);
  });

  it('hashes a Buffer body byte for byte like the equivalent UTF-8 string', () => {
    const body = Buffer.from('{"target":"tèsté","ttl":60}', 'utf8');
    expect(computeOvhSignature({ ...golden, body })).toBe(goldenSignature);
  });

  it('treats a missing body as the empty string', () => {
    const withEmpty = computeOvhSignature({ ...MOCK, method: 'GET', body: '' });
    expect(computeOvhSignature({ ...MOCK, method: 'GET' })).toBe(withEmpty);
    expect(computeOvhSignature({ ...MOCK, method: 'GET', body: null })).toBe(withEmpty);
  });
});

describe('verifyOvhSignature', () => {
  const input = { ...MOCK, method: 'GET', body: '' };

  it('accepts the right signature', () => {
    expect(verifyOvhSignature({ ...input, signature: '$1$e9556054b6309771395efa467c22e627407461ad' })).toBe(
      true,
    );
  });

  it.each([
    ['uppercase hex', '$1$E9556054B6309771395EFA467C22E627407461AD'],
    ['one changed digit', '$1$e9556054b6309771395efa467c22e627407461ae'],
    ['missing prefix', 'e9556054b6309771395efa467c22e627407461ad'],
    ['empty', ''],
    ['truncated', '$1$e9556054'],
  ])('refuses %s', (_label, signature) => {
    expect(verifyOvhSignature({ ...input, signature })).toBe(false);
  });

  it('refuses when a single byte of url, body, method or timestamp differs', () => {
    const signature = computeOvhSignature({ ...MOCK, method: 'POST', body: '{"a":1}' });
    const base = { ...MOCK, method: 'POST', body: '{"a":1}', signature };
    expect(verifyOvhSignature(base)).toBe(true);
    expect(verifyOvhSignature({ ...base, url: MOCK.url + '/' })).toBe(false);
    expect(verifyOvhSignature({ ...base, body: '{"a":2}' })).toBe(false);
    expect(verifyOvhSignature({ ...base, method: 'PUT' })).toBe(false);
    expect(verifyOvhSignature({ ...base, timestamp: MOCK.timestamp + 1 })).toBe(false);
  });
});
