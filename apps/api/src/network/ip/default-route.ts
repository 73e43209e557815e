import { isIP } from 'node:net';

/** An IPv4 address of a network interface, as `os.networkInterfaces()` lists it. */
export interface InterfaceAddress {
  name: string;
  address: string;
  family: 'IPv4' | 'IPv6';
  internal: boolean;
}

export interface DefaultRoute {
  interfaceName: string;
  /** The next hop: on a home network, the router. */
  gateway: string | null;
}

/**
 * The IPv4 default route with the lowest metric, from the text of `/proc/net/route` (addresses are
 * little-endian hex there), or null when there is none.
 */
export function defaultRouteFrom(routeTable: string): DefaultRoute | null {
  let best: (DefaultRoute & { metric: number }) | null = null;
  for (const line of routeTable.split('\n').slice(1)) {
    const [name, destination, gateway, flags, , , metric, mask] = line.trim().split(/\s+/);
    if (!name || destination !== '00000000' || mask !== '00000000') continue;
    const up = (parseInt(flags, 16) & 0x1) === 0x1;
    if (!up) continue;
    const candidate = { interfaceName: name, gateway: gateway === '00000000' ? null : hexToIpv4(gateway), metric: Number(metric) || 0 };
    if (!best || candidate.metric < best.metric) best = candidate;
  }
  return best ? { interfaceName: best.interfaceName, gateway: best.gateway } : null;
}

/**
 * The machine's LAN address: the IPv4 address of the default route's interface; failing that, the
 * first private IPv4 address of any interface, then any non-loopback IPv4 address.
 */
export function pickPrivateIp(
  route: DefaultRoute | null,
  addresses: InterfaceAddress[],
): { ip: string; source: 'default-route' | 'interface' } | null {
  const usable = addresses.filter((entry) => entry.family === 'IPv4' && !entry.internal && isIP(entry.address) === 4);
  const onRoute = route ? usable.find((entry) => entry.name === route.interfaceName) : undefined;
  if (onRoute) return { ip: onRoute.address, source: 'default-route' };
  const fallback = usable.find((entry) => isNonPublicIpv4(entry.address)) ?? usable[0];
  return fallback ? { ip: fallback.address, source: 'interface' } : null;
}

/** RFC 1918, carrier-grade NAT (100.64/10), link-local, loopback, 0/8: addresses the internet cannot reach. */
export function isNonPublicIpv4(ip: string): boolean {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) return false;
  const [a, b] = parts;
  return (
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    a === 127 ||
    a === 0
  );
}

function hexToIpv4(hex: string): string | null {
  if (!/^[0-9A-Fa-f]{8}$/.test(hex)) return null;
  const value = parseInt(hex, 16);
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff].join('.');
}
