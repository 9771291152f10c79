import ipaddr from 'ipaddr.js';

export const MAX_ALLOWED_IPS = 64;

// Normalises a list of CIDR blocks (a bare address becomes /32 or /128). Returns the offending
// entries instead of guessing what an invalid one meant.
export function normalizeAllowedIps(blocks: readonly string[]): { blocks: string[]; invalid: string[] } {
  const out: string[] = [];
  const invalid: string[] = [];
  for (const raw of blocks) {
    const block = typeof raw === 'string' ? raw.trim() : '';
    try {
      if (ipaddr.isValidCIDR(block)) {
        const [range, bits] = ipaddr.parseCIDR(block);
        out.push(`${range.toString()}/${bits}`);
      } else if (ipaddr.isValid(block) && !block.includes('/')) {
        const ip = ipaddr.parse(block);
        out.push(`${ip.toString()}/${ip.kind() === 'ipv4' ? 32 : 128}`);
      } else {
        invalid.push(String(raw).slice(0, 64));
      }
    } catch {
      invalid.push(String(raw).slice(0, 64));
    }
  }
  return { blocks: [...new Set(out)], invalid };
}

export interface ParsedCidr {
  kind: 'ipv4' | 'ipv6';
  range: ipaddr.IPv4 | ipaddr.IPv6;
  bits: number;
}

export function parseAllowedIps(blocks: readonly string[]): ParsedCidr[] {
  const parsed: ParsedCidr[] = [];
  for (const block of blocks) {
    try {
      let [range, bits] = ipaddr.parseCIDR(block);
      if (range.kind() === 'ipv6' && (range as ipaddr.IPv6).isIPv4MappedAddress()) {
        range = (range as ipaddr.IPv6).toIPv4Address();
        bits = Math.max(0, bits - 96);
      }
      parsed.push({ kind: range.kind(), range, bits });
    } catch {
      // Stored blocks were validated on write; an unreadable one grants nothing.
    }
  }
  return parsed;
}

// IPv4-mapped IPv6 (::ffff:1.2.3.4, what a dual-stack socket reports) counts as IPv4.
export function ipInBlocks(address: string | undefined, blocks: readonly ParsedCidr[]): boolean {
  if (!address || !ipaddr.isValid(address)) return false;
  const ip = ipaddr.process(address);
  return blocks.some((b) => b.kind === ip.kind() && ip.match(b.range, b.bits));
}
