import type { NetworkPortName, NetworkStatusView, PortReachability, UpnpState } from '@mcp-proxy/shared/dto';
import type { StatusTone } from '../../shared/ui/status-chip/status-tone';

export const PORT_LABELS: Record<NetworkPortName, string> = {
  api: 'API and MCP',
  admin: 'Admin UI',
  https: 'HTTPS',
};

export const UPNP_TONES: Record<UpnpState, StatusTone> = {
  disabled: 'neutral',
  discovering: 'progress',
  ready: 'positive',
  'no-gateway': 'negative',
  error: 'negative',
};

export const REACHABILITY_TONES: Record<PortReachability, StatusTone> = {
  open: 'positive',
  closed: 'negative',
  unknown: 'neutral',
};

/** Where the public IP came from, in words. */
export function publicIpSource(source: NetworkStatusView['publicIpSource']): string {
  switch (source) {
    case 'override':
      return 'set by PUBLIC_IP';
    case 'upnp':
      return "the router's external address (UPnP)";
    case 'http':
      return 'a "what is my IP" service (PUBLIC_IP_URLS)';
    default:
      return 'not known';
  }
}

/** Where the private IP came from, in words. */
export function privateIpSource(source: NetworkStatusView['privateIpSource']): string {
  switch (source) {
    case 'override':
      return 'set by PRIVATE_IP';
    case 'default-route':
      return "the default route's interface";
    case 'interface':
      return 'the first private interface';
    default:
      return 'not known';
  }
}

/** A lease as the router reports it: seconds left, 0 for a permanent mapping. */
export function describeLease(seconds: number): string {
  if (seconds === 0) return 'permanent';
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

export type PortListResult = { ok: true; ports: number[] } | { ok: false; error: string };

/** Other ports to check, typed as `8080, 9000`; empty is fine (the proxy's own are always checked). */
export function parsePortList(text: string): PortListResult {
  const parts = text
    .split(/[\s,]+/)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  const ports: number[] = [];
  for (const part of parts) {
    const port = /^\d+$/.test(part) ? Number(part) : NaN;
    if (!Number.isInteger(port) || port < 1 || port > 65_535) return { ok: false, error: `"${part}" is not a port (1 to 65535)` };
    if (!ports.includes(port)) ports.push(port);
  }
  if (ports.length > 13) return { ok: false, error: 'At most 13 other ports at a time' };
  return { ok: true, ports };
}

/** The proxy's own ports followed by the others asked for, once each (the API takes up to 16). */
export function portsToCheck(own: readonly number[], others: readonly number[]): number[] {
  return [...new Set([...own, ...others])];
}
