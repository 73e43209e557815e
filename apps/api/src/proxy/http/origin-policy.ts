import { isIP } from 'node:net';

/**
 * DNS-rebinding and cross-site protection for the data plane: a request must be addressed (Host)
 * to a host we know — an IP literal, localhost, the configured domain, or an extra allowed host —
 * and, when it carries `Origin` (a browser), come from one as well. A rebinding page's requests
 * name the attacker's host and are refused.
 */
export class OriginPolicy {
  private readonly names: Set<string>;

  constructor(allowedNames: (string | undefined)[]) {
    this.names = new Set(['localhost', ...allowedNames.filter((name): name is string => !!name).map((name) => name.toLowerCase())]);
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
    const bare = hostname.replace(/^\[|\]$/g, '').toLowerCase();
    return isIP(bare) !== 0 || this.names.has(bare) || bare.endsWith('.localhost');
  }
}

function hostnameOf(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}
