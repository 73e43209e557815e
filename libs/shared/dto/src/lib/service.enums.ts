export const SERVICE_STATUSES = [
  'stopped',
  'starting',
  'running',
  'restarting',
  'crashed',
  'deploying',
  'failed',
] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

export const SERVICE_TRANSPORTS = ['stdio', 'http'] as const;
export type ServiceTransport = (typeof SERVICE_TRANSPORTS)[number];

/** `shared`: one child multiplexed for every client; `session`: one child per client session. */
export const ISOLATION_MODES = ['shared', 'session'] as const;
export type IsolationMode = (typeof ISOLATION_MODES)[number];
