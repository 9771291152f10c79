import { lookup as dnsLookup } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

// SSRF guard: webhook targets are http(s) only, and resolve to public unicast
// addresses unless WEBHOOK_ALLOW_PRIVATE=true. The check runs at registration and
// again inside the connection's DNS lookup, so a rebinding name cannot slip past.
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() === 'unicast';
}

export function webhookUrlProblem(url: string): string | null {
  if (url.length > 2048) return 'the URL is longer than 2048 characters';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a valid URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return 'only http and https URLs are allowed';
  if (parsed.username || parsed.password) return 'credentials in the URL are not allowed';
  if (parsed.hash) return 'a fragment is not allowed';
  return null;
}

export async function resolvesToPrivate(url: string): Promise<boolean> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host)
    ? [host]
    : await new Promise<string[]>((resolve, reject) =>
        dnsLookup(host, { all: true }, (err, list) =>
          err ? reject(err) : resolve(list.map((a) => a.address)),
        ),
      );
  return addresses.some((a) => !isPublicAddress(a));
}

// A net.connect `lookup` that refuses private targets.
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, list) => {
      if (err) return callback(err, []);
      const usable = allowPrivate ? list : list.filter((a) => isPublicAddress(a.address));
      if (usable.length === 0) {
        const refused = Object.assign(new Error(`${hostname} resolves to a private address`), {
          code: 'EPRIVATETARGET',
        });
        return callback(refused, []);
      }
      if (options.all) return callback(null, usable);
      callback(null, usable[0].address, usable[0].family);
    });
  };
}
