import { isSecretKey, REDACTED, scrubLogObject, scrubText } from './redact';

describe(scrubText.name, () => {
  it.each([
    ['Authorization: Bearer abc.def-123', 'Authorization: Bearer [redacted]'],
    ['token obt_AbCdEf0123456789 used', 'token obt_[redacted] used'],
    ['postgres://broker:hunter2@db:5432/broker', 'postgres://broker:[redacted]@db:5432/broker'],
    ['/cb?state=1&access_token=xyz&x=2', '/cb?state=1&access_token=[redacted]&x=2'],
    ['consumerKey=abc123 next', 'consumerKey=[redacted] next'],
  ])('masks %s', (input, expected) => {
    expect(scrubText(input)).toBe(expected);
  });

  it('leaves ordinary text alone', () => {
    expect(scrubText('consumer key 3f2 moved to state validated')).toBe(
      'consumer key 3f2 moved to state validated',
    );
  });
});

describe(isSecretKey.name, () => {
  it.each([
    'password',
    'newPassword',
    'refresh_token',
    'applicationSecret',
    'X-Ovh-Signature',
    'consumerKey',
    'CK',
  ])('treats %s as secret', (k) => expect(isSecretKey(k)).toBe(true));
  it.each(['consumerKeyId', 'tokenId', 'tokenPrefix', 'code', 'applicationKey', 'email', 'state'])(
    'keeps %s',
    (k) => expect(isSecretKey(k)).toBe(false),
  );
});

describe(scrubLogObject.name, () => {
  it('copies, redacts at depth, survives cycles and keeps class instances as they are', () => {
    const cyclic: Record<string, unknown> = { password: 'p' };
    cyclic.self = cyclic;
    const when = new Date(0);
    const input = { list: [{ secret: 's' }], cyclic, when, nothing: { token: null } };
    const out = scrubLogObject(input) as Record<string, unknown>;
    expect(out).toEqual({
      list: [{ secret: REDACTED }],
      cyclic: { password: REDACTED, self: '[circular]' },
      when,
      nothing: { token: null },
    });
    expect(input.list[0].secret).toBe('s');
  });

  it('turns errors into plain objects with scrubbed message and stack', () => {
    const err = Object.assign(new Error('failed with password=hunter2'), { code: 'E_X' });
    const out = scrubLogObject({ err }) as unknown as { err: Record<string, unknown> };
    expect(out.err).toMatchObject({ type: 'Error', message: 'failed with password=[redacted]', code: 'E_X' });
    expect(String(out.err.stack)).not.toContain('hunter2');
  });
});
