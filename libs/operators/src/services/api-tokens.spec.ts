import { ipAllowed, mayGrant, normaliseCidrs } from './api-tokens.service';

describe('API token rules', () => {
  it('lets a token carry its creator role, or any role if the creator is an admin', () => {
    expect(mayGrant('admin', 'admin')).toBe(true);
    expect(mayGrant('admin', 'auditor')).toBe(true);
    expect(mayGrant('operator', 'operator')).toBe(true);
    expect(mayGrant('operator', 'admin')).toBe(false);
    expect(mayGrant('operator', 'auditor')).toBe(false);
    expect(mayGrant('auditor', 'operator')).toBe(false);
  });

  it('normalises addresses and ranges, including IPv4-mapped IPv6', () => {
    expect(normaliseCidrs([' 203.0.113.4 ', '2001:db8::/32', '::ffff:192.0.2.0/120', '::1'])).toEqual([
      '203.0.113.4/32',
      '2001:db8::/32',
      '192.0.2.0/24',
      '::1/128',
    ]);
    for (const bad of ['x', '10.0.0.0/33', '1.2.3.4/-1', '']) {
      expect(() => normaliseCidrs([bad])).toThrow(
        expect.objectContaining({ code: 'API_TOKEN_INVALID_CIDR' }),
      );
    }
  });

  it('matches callers against the list, v4-mapped callers as IPv4', () => {
    const list = normaliseCidrs(['203.0.113.0/24', '2001:db8::/32']);
    expect(ipAllowed('203.0.113.9', list)).toBe(true);
    expect(ipAllowed('::ffff:203.0.113.9', list)).toBe(true);
    expect(ipAllowed('2001:db8:1::5', list)).toBe(true);
    expect(ipAllowed('203.0.114.1', list)).toBe(false);
    expect(ipAllowed('2001:db9::1', list)).toBe(false);
    expect(ipAllowed(undefined, list)).toBe(false);
    expect(ipAllowed('garbage', list)).toBe(false);
    expect(ipAllowed(undefined, [])).toBe(true);
  });
});
