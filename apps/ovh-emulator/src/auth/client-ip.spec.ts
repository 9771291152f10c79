import { ipAllowed, isValidIpBlock } from './client-ip';

describe('ipAllowed', () => {
  it.each([
    ['127.0.0.1', ['127.0.0.1/32'], true],
    ['::ffff:127.0.0.1', ['127.0.0.0/8'], true],
    ['127.0.0.1', ['10.0.0.0/8'], false],
    ['192.0.2.9', ['192.0.2.9'], true],
    ['2001:db8::1', ['2001:db8::/32'], true],
    ['2001:db8::1', ['127.0.0.1/32'], false],
    ['127.0.0.1', ['::ffff:127.0.0.1/128'], true],
    [undefined, ['0.0.0.0/0'], false],
    ['not-an-ip', ['0.0.0.0/0'], false],
  ])('%s in %j → %s', (address, blocks, expected) => {
    expect(ipAllowed(address, blocks)).toBe(expected);
  });
});

describe('isValidIpBlock', () => {
  it.each([
    ['127.0.0.1/32', true],
    ['2001:db8::/32', true],
    ['192.0.2.1', true],
    ['300.0.0.1/8', false],
    ['10.0.0.0/33', false],
    ['x', false],
  ])('%s → %s', (block, expected) => {
    expect(isValidIpBlock(block)).toBe(expected);
  });
});
