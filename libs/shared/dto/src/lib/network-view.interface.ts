/** Live WebSocket channel that carries a `NetworkStatusView` at subscription and at every change. */
export const NETWORK_CHANNEL = 'network';

/** Where the proxy stands with the router's UPnP IGD service. */
export type UpnpState = 'disabled' | 'discovering' | 'ready' | 'no-gateway' | 'error';

/**
 * What the outside sees of a port: `unknown` when no external checker could answer (or the public IP
 * is not known), never guessed as `closed`.
 */
export type PortReachability = 'open' | 'closed' | 'unknown';

/** The proxy's three listeners. */
export type NetworkPortName = 'api' | 'admin' | 'https';

export interface UpnpGatewayView {
  /** The device description URL the gateway announced over SSDP. */
  location: string;
  /** Our address on the link the gateway answered on: the internal client of our mappings. */
  localAddress: string;
  /** From the gateway's GetExternalIPAddress; null when it would not say. */
  externalIp: string | null;
}

/** One entry of the gateway's port-mapping table. */
export interface UpnpMappingView {
  externalPort: number;
  protocol: 'TCP' | 'UDP';
  internalClient: string;
  internalPort: number;
  description: string;
  enabled: boolean;
  /** Seconds left as the gateway reports it; 0 is a permanent mapping. */
  leaseSec: number;
  /** Made by this proxy (our description, our address, one of our ports). */
  ours: boolean;
}

export interface UpnpView {
  /** ENABLE_UPNP */
  enabled: boolean;
  /** AUTO_MAP_PORTS */
  autoMap: boolean;
  state: UpnpState;
  /** Why the state is not `ready` (or what last went wrong); null when all is well. */
  reason: string | null;
  gateway: UpnpGatewayView | null;
  /** The gateway's whole table as last read; `ours` marks the proxy's entries. */
  mappings: UpnpMappingView[];
  /** Lease asked for each mapping (UPNP_LEASE_SEC); 0 = permanent, when the gateway only allows those. */
  leaseSec: number;
  /** Last time our mappings were (re)added at the gateway. */
  refreshedAt: string | null;
  /** When they will be re-added next (before the lease runs out). */
  nextRefreshAt: string | null;
}

/** A port of the proxy as the network status shows it. */
export interface NetworkPortView {
  name: NetworkPortName;
  port: number;
  protocol: 'TCP';
  /** Forwarded to this machine by the gateway through UPnP, as last seen. */
  mapped: boolean;
  /** Why the last attempt to map it failed; null otherwise. */
  mapError: string | null;
  /** From the last `check-ports`; `unknown` before the first one. */
  reachable: PortReachability;
  checkedAt: string | null;
}

export interface PortForwardingRuleView {
  name: string;
  externalPort: number;
  internalIp: string | null;
  internalPort: number;
  protocol: 'TCP';
}

/** What to set up on the router by hand when UPnP is off or did not work. */
export interface PortForwardingView {
  reason: string;
  /** The default-route gateway: usually where the router's admin page is. */
  routerIp: string | null;
  privateIp: string | null;
  publicIp: string | null;
  rules: PortForwardingRuleView[];
  steps: string[];
}

/** `GET /api/network/status` */
export interface NetworkStatusView {
  publicIp: string | null;
  publicIpSource: 'override' | 'upnp' | 'http' | null;
  /** Why the public IP is unknown (or where looking it up failed). */
  publicIpReason: string | null;
  privateIp: string | null;
  privateIpSource: 'override' | 'default-route' | 'interface' | null;
  upnp: UpnpView;
  ports: NetworkPortView[];
  /** Present when UPnP is off or one of the ports is not mapped. */
  portForwarding: PortForwardingView | null;
  updatedAt: string;
}

/** One port in a `POST /api/network/check-ports` answer. */
export interface PortCheckView {
  port: number;
  /** Which listener of the proxy it is; null for another port asked for. */
  name: NetworkPortName | null;
  protocol: 'TCP';
  /** Something accepts TCP connections on it on this machine. */
  listening: boolean;
  /** The gateway's table forwards it to this machine. */
  mapped: boolean;
  reachable: PortReachability;
  /** How `reachable` was found out, or why it could not be. */
  detail: string;
}

/** `POST /api/network/check-ports` */
export interface CheckPortsView {
  checkedAt: string;
  publicIp: string | null;
  privateIp: string | null;
  /** The checker that answered; null when none was configured or none answered. */
  checker: string | null;
  ports: PortCheckView[];
  portForwarding: PortForwardingView | null;
}

/** `POST /api/network/upnp/map` and `/unmap`: one line per port, then the UPnP state after it. */
export interface UpnpPortResultView {
  port: number;
  protocol: 'TCP';
  ok: boolean;
  /** What the gateway (or the network) said when it did not work. */
  error: string | null;
}

export interface UpnpChangeView {
  results: UpnpPortResultView[];
  upnp: UpnpView;
}
