/** News of the network module for other modules (the live gateway's `network` channel). */
export const NETWORK_EVENTS = {
  /** The network status changed (payload: NetworkStatusView). */
  changed: 'network.changed',
} as const;
