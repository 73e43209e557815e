import type { NetworkPortName } from '@mcp-proxy/shared/dto';
import { AppConfig } from '../core/config/app-config';

export const NETWORK_SETTINGS = Symbol('NETWORK_SETTINGS');

/** The product's name in every mapping description, so our entries are recognisable in the router. */
export const MAPPING_DESCRIPTION_PREFIX = 'MCP Reverse Proxy';

export interface ProxyPort {
  name: NetworkPortName;
  port: number;
  /** What the router shows next to the mapping. */
  description: string;
}

/** Everything the network module reads from the configuration, read once. */
export interface NetworkSettings {
  upnpEnabled: boolean;
  autoMap: boolean;
  /** The three listeners; one entry per distinct port number. */
  ports: ProxyPort[];
  upnpTimeoutMs: number;
  leaseSec: number;
  publicIpOverride: string | null;
  privateIpOverride: string | null;
  publicIpUrls: string[];
  portCheckUrls: string[];
  httpTimeoutMs: number;
  /** Where to connect to see whether a port listens on this machine. */
  localProbeHost: string;
}

const LABELS: Record<NetworkPortName, string> = { api: 'API', admin: 'admin UI', https: 'HTTPS' };

export function networkSettingsFrom(config: AppConfig): NetworkSettings {
  const candidates: { name: NetworkPortName; port: number }[] = [
    { name: 'api', port: config.get('BACKEND_PORT') },
    { name: 'admin', port: config.get('FRONTEND_PORT') },
    // Mapped even while TLS is off, as the contract asks: turning TLS on later then needs no router change.
    { name: 'https', port: config.get('HTTPS_PORT') },
  ];
  const ports: ProxyPort[] = [];
  for (const candidate of candidates) {
    if (ports.some((taken) => taken.port === candidate.port)) continue;
    ports.push({ ...candidate, description: `${MAPPING_DESCRIPTION_PREFIX} ${LABELS[candidate.name]}` });
  }
  return {
    upnpEnabled: config.get('ENABLE_UPNP'),
    autoMap: config.get('AUTO_MAP_PORTS'),
    ports,
    upnpTimeoutMs: config.get('UPNP_TIMEOUT_MS'),
    leaseSec: config.get('UPNP_LEASE_SEC'),
    publicIpOverride: config.get('PUBLIC_IP') ?? null,
    privateIpOverride: config.get('PRIVATE_IP') ?? null,
    publicIpUrls: config.get('PUBLIC_IP_URLS'),
    portCheckUrls: config.get('PORT_CHECK_URLS'),
    httpTimeoutMs: config.get('NETWORK_TIMEOUT_MS'),
    localProbeHost: probeHostFor(config.get('HOST')),
  };
}

/** A wildcard bind address is reachable on loopback; a specific one only on itself. */
function probeHostFor(host: string): string {
  if (host === '0.0.0.0' || host === 'localhost' || host === '') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}
