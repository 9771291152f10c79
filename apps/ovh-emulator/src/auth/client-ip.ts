import ipaddr from 'ipaddr.js';

export function isValidIpBlock(block: string): boolean {
  return ipaddr.isValidCIDR(block) || ipaddr.isValid(block);
}

// True when `address` lies in one of `blocks` (CIDR or bare address); IPv4-mapped IPv6 counts as IPv4.
export function ipAllowed(address: string | undefined, blocks: readonly string[]): boolean {
  if (!address || !ipaddr.isValid(address)) return false;
  const ip = ipaddr.process(address);
  return blocks.some((block) => {
    try {
      const [range, bits] = ipaddr.isValidCIDR(block)
        ? ipaddr.parseCIDR(block)
        : ([ipaddr.process(block), block.includes(':') ? 128 : 32] as const);
      const normalized =
        range.kind() === 'ipv6' && (range as ipaddr.IPv6).isIPv4MappedAddress()
          ? (range as ipaddr.IPv6).toIPv4Address()
          : range;
      const mappedBits = normalized !== range ? bits - 96 : bits;
      return normalized.kind() === ip.kind() && ip.match(normalized, mappedBits);
    } catch {
      return false;
    }
  });
}
