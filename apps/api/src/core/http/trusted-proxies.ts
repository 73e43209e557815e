import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

/**
 * Which socket peers may speak for the client (TRUSTED_PROXIES), and what the forwarded headers say
 * once they do. Kept pure so the header rules can be table-tested: a peer outside the list is the
 * client, whatever headers it sends, so a forged X-Forwarded-For buys nothing.
 */

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Named ranges accepted in TRUSTED_PROXIES besides literal addresses and CIDRs. */
const NAMED = new Map<string, string[]>([['loopback', ['127.0.0.0/8', '::1/128']]]);

/** True when `entry` is something TRUSTED_PROXIES accepts: an IP, a CIDR or `loopback`. */
export function isTrustedProxyEntry(entry: string): boolean {
  if (NAMED.has(entry.toLowerCase())) return true;
  // Node's strict literal check first: ipaddr.js alone would also take `1` or `0x7f.1` as addresses.
  const [address, bits, ...rest] = entry.split('/');
  if (rest.length > 0 || isIP(address) === 0) return false;
  return bits === undefined || ipaddr.isValidCIDR(entry);
}

/** The plain form of an address: IPv4-mapped IPv6 (`::ffff:127.0.0.1`, as a dual-stack socket reports it) becomes IPv4. */
function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const bare = address.trim().replace(/^\[(.*)\]$/, '$1');
  return isIP(bare) !== 0 ? ipaddr.process(bare) : null;
}

function toRange(entry: string): Range[] {
  const named = NAMED.get(entry.toLowerCase());
  if (named) return named.map((cidr) => ipaddr.parseCIDR(cidr));
  if (!isTrustedProxyEntry(entry)) return [];
  if (entry.includes('/')) return [ipaddr.parseCIDR(entry)];
  const address = parseAddress(entry);
  return address ? [[address, address.kind() === 'ipv4' ? 32 : 128]] : [];
}

export class TrustedProxies {
  private readonly ranges: Range[];

  /** `entries` were checked at start-up (env schema); an unusable one matches nothing. */
  constructor(entries: readonly string[]) {
    this.ranges = entries.flatMap(toRange);
  }

  get empty(): boolean {
    return this.ranges.length === 0;
  }

  trusts(address: string | undefined): boolean {
    const parsed = address === undefined ? null : parseAddress(address);
    if (!parsed) return false;
    return this.ranges.some(([network, bits]) => network.kind() === parsed.kind() && parsed.match(network, bits));
  }

  /**
   * The client's address: walking X-Forwarded-For from the right (the hop our peer added) while the
   * address is one of our proxies, the first one that is not. Entries left of it were written by the
   * client and are never believed. A malformed entry stops the walk at the last address we know.
   */
  clientAddress(peer: string, forwardedFor: string | undefined): string {
    if (!forwardedFor || !this.trusts(peer)) return peer;
    let client = peer;
    const hops = forwardedFor.split(',');
    for (let index = hops.length - 1; index >= 0; index--) {
      if (!this.trusts(client)) break;
      const hop = parseAddress(hops[index]);
      if (!hop) break;
      client = hop.toString();
    }
    return client;
  }
}

/**
 * The value the nearest proxy set for a forwarded header: the right-most of a comma-separated list,
 * since the ones to its left may have come from the client.
 */
export function lastForwardedValue(value: string | string[] | undefined): string | undefined {
  const joined = Array.isArray(value) ? value.join(',') : value;
  const last = joined?.split(',').pop()?.trim();
  return last ? last : undefined;
}
