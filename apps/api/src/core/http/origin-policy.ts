import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/** 127.0.0.0/8 and ::1, also written as IPv4-mapped IPv6. */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
LOOPBACK.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/** The machine's interface addresses are read again at most this often (DHCP may change them). */
const INTERFACES_TTL_MS = 30_000;

/** The addresses of this machine's own interfaces: a page served from one of them is served by this host. */
function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((entries) => (entries ?? []).map((entry) => entry.address));
}

/**
 * DNS-rebinding and cross-site protection for the data plane: a request must be addressed (Host)
 * to a host we know — localhost, a loopback address, one of this machine's own addresses, the
 * configured domain and addresses, or an extra allowed host (name or IP) — and, when it carries
 * `Origin` (a browser), come from one as well. A rebinding page's requests name the attacker's
 * host, and a page on some other address (a LAN device, a server reached by IP) is not ours: both
 * are refused. One rule for Host and Origin, so the two never disagree.
 */
export class OriginPolicy {
  private readonly names: Set<string>;
  private local: { addresses: Set<string>; readAt: number } | null = null;

  constructor(
    allowedNames: (string | undefined)[],
    private readonly localAddresses: () => string[] = interfaceAddresses,
  ) {
    this.names = new Set(['localhost', ...allowedNames.filter((name): name is string => !!name).map(normalize)]);
  }

  allows(origin: string | undefined, host: string | undefined): boolean {
    if (host === undefined || !this.isKnown(hostnameOf(host))) return false;
    if (origin === undefined) return true;
    let originHost: string;
    try {
      originHost = new URL(origin).hostname;
    } catch {
      return false;
    }
    return this.isKnown(originHost);
  }

  private isKnown(hostname: string): boolean {
    const bare = normalize(hostname.replace(/^\[|\]$/g, ''));
    const family = isIP(bare);
    if (family === 0) return this.names.has(bare) || bare.endsWith('.localhost');
    return LOOPBACK.check(bare, family === 4 ? 'ipv4' : 'ipv6') || this.names.has(bare) || this.ownAddresses().has(bare);
  }

  private ownAddresses(now = Date.now()): Set<string> {
    if (!this.local || now - this.local.readAt > INTERFACES_TTL_MS)
      this.local = { addresses: new Set(this.localAddresses().map(normalize)), readAt: now };
    return this.local.addresses;
  }
}

/** Lower case; an IPv6 literal in its canonical form (as URL parsing writes it), so `::1` and `0::1` are one. */
function normalize(name: string): string {
  const lower = name.toLowerCase();
  if (isIP(lower) !== 6) return lower;
  try {
    return new URL(`http://[${lower}]/`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return lower;
  }
}

function hostnameOf(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}
