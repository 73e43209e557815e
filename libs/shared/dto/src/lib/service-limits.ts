/**
 * Per-service resource limits and sandbox settings, stored in the service's `process` settings.
 * A limit of `null` takes the proxy's default (SANDBOX_* keys); `0` means "no limit".
 */
export interface ServiceLimitsView {
  /** Memory cap of the whole process tree (cgroup), in MB. */
  memoryMb: number | null;
  /** CPU cap of the whole tree (cgroup quota), in % of one core. */
  cpuPercent: number | null;
  /** Most processes (and threads) the service may run at once. */
  maxProcesses: number | null;
  /** Most open files per process. */
  maxOpenFiles: number | null;
  /** CPU time per process, in seconds, before it is killed. */
  cpuSeconds: number | null;
  /** Virtual address space per process, in MB. */
  addressSpaceMb: number | null;
}

export const SANDBOX_USER_MODES = ['auto', 'none'] as const;
/** `auto`: when the proxy runs as root, the service runs as an unprivileged user of its own; `none`: as the proxy. */
export type SandboxUserMode = (typeof SANDBOX_USER_MODES)[number];

export const SANDBOX_FILESYSTEM_MODES = ['bubblewrap', 'none'] as const;
/** `bubblewrap`: a mount namespace that hides the proxy's data, logs and the other services' directories. */
export type SandboxFilesystemMode = (typeof SANDBOX_FILESYSTEM_MODES)[number];

export interface ServiceSandboxSettingsView {
  /** `null`: the proxy's default (SANDBOX_USER). */
  user: SandboxUserMode | null;
  /** `null`: the proxy's default (SANDBOX_FILESYSTEM). */
  filesystem: SandboxFilesystemMode | null;
}

export const EMPTY_LIMITS: ServiceLimitsView = {
  memoryMb: null,
  cpuPercent: null,
  maxProcesses: null,
  maxOpenFiles: null,
  cpuSeconds: null,
  addressSpaceMb: null,
};

export const LIMIT_KEYS = Object.keys(EMPTY_LIMITS) as (keyof ServiceLimitsView)[];

/** What the proxy applied to the service's last child: shown in the service view and the portal. */
export interface SandboxStatusView {
  /** The user the child runs as (`mcp-<uid>`), or null when it runs as the proxy's user. */
  user: string | null;
  uid: number | null;
  filesystem: SandboxFilesystemMode;
  /** The limits in force (service values over the defaults); 0 = none. */
  limits: Record<keyof ServiceLimitsView, number>;
  /** Layers and limits that are on, e.g. "cgroup memory 256 MB", "RLIMIT_NOFILE 1024". */
  applied: string[];
  /** What was asked for but could not be applied here, and why. */
  notApplied: string[];
}

/**
 * Which resource limits this host lets the proxy enforce on its children (`/health` → `children.limits`):
 * the cgroup caps on a child's whole tree, and the per-process rlimits. A limit that is false is
 * configured in vain here; `reason` says why in plain words.
 */
export interface HostLimitsView {
  /** `v1`, `v2` (unified only), `hybrid` (v1 controllers beside an empty v2 mount: v1 is used) or `none`. */
  cgroup: 'v1' | 'v2' | 'hybrid' | 'none';
  memory: boolean;
  pids: boolean;
  cpu: boolean;
  /** RLIMIT_NOFILE, RLIMIT_CPU, RLIMIT_AS (through prlimit). */
  perProcess: boolean;
  /** Why the false ones are not enforced; null when every limit is. */
  reason: string | null;
}
