import type { SandboxStatusView, ServiceLimitsView, ServiceSandboxSettingsView } from './service-limits';
import {
  DriftPolicy,
  IsolationMode,
  RemoteAuthMode,
  RemoteOAuthConnection,
  RemoteProtocol,
  ResponseMode,
  ServiceAuthMode,
  ServiceStatus,
  ServiceTransport,
} from './service.enums';

export interface ProcessConfigView {
  command: string | null;
  args: string[];
  cwd: string | null;
  autoRestart: boolean;
  maxRestarts: number;
  port: number | null;
  isolation: IsolationMode;
  restartWindowSec: number;
  healthCheckIntervalSec: number;
  memoryLimitMb: number | null;
  maxSessions: number;
  sessionIdleTimeoutSec: number;
  /** `pool` isolation: children kept ready ahead of sessions (`min`) and children at most, ready or in use (`max`); absent in older rows. */
  pool?: SessionPoolView;
  /** Resource limits of the service's children; absent in rows older than sandboxing (all defaults). */
  limits?: ServiceLimitsView;
  sandbox?: ServiceSandboxSettingsView;
}

export interface SessionPoolView {
  min: number;
  max: number;
}

export interface ProxyConfigView {
  path: string;
  /** Work per minute per client (tools/call, resources/read, prompts/get, completion/complete); housekeeping gets ten times this. */
  rateLimit: number;
  /** Tool name or glob → calls per minute per client; absent on rows stored before tool limits existed (none). */
  toolLimits?: Record<string, number>;
  cache: boolean;
  toolResultTtlSec: number;
  requestTimeoutSec: number;
  responseMode: ResponseMode;
  /** Absent on rows stored before auth modes existed: `apiKey`. */
  auth?: ServiceAuthMode;
  /** What happens when the server's tools differ from the pinned ones; absent on rows stored before tool pinning: `warn`. */
  driftPolicy?: DriftPolicy;
}

/** What the call history keeps of a service's calls. */
export interface CallLogSettingsView {
  /** Store each call's arguments and result (redacted, cut to CALL_LOG_PAYLOAD_MAX_BYTES); off by default. */
  payloads: boolean;
}

export interface RepositoryView {
  url: string;
  branch: string;
  entryPoint: string | null;
  /** Deploys run the dependencies' install scripts; absent (older rows) means false. */
  allowScripts?: boolean;
}

/** A remote MCP server's settings as shown: header values that hold a literal (not a `${NAME}` reference) are masked. */
export interface RemoteConfigView {
  url: string;
  protocol: RemoteProtocol;
  headers: Record<string, string>;
  allowInsecureHttp: boolean;
  auth: RemoteAuthMode;
  /** `auth: "oauth"` only; a client secret shows as `********`. */
  oauth: RemoteOAuthView | null;
}

export interface RemoteOAuthView {
  connection: RemoteOAuthConnection;
  clientId: string | null;
  clientSecret: string | null;
  scopes: string[] | null;
}

export interface ServiceView {
  id: string;
  name: string;
  status: ServiceStatus;
  pid: number | null;
  restarts: number;
  startedAt: string | null;
  lastExitCode: number | null;
  /** Why the service is `crashed` or `failed`, when known. */
  statusReason: string | null;
  /** Why the last child died on its own ("killed by memory limit 256 MB", "exited with code 1: …"), kept after the restart. */
  lastExitReason?: string | null;
  /** The sandbox and limits of the last child started; null before the first start. */
  sandbox?: SandboxStatusView | null;
  /** Several instances: the one that runs the service's children (null when it runs nowhere or the proxy runs alone). */
  instance?: string | null;
  transport: ServiceTransport;
  proxy: ProxyConfigView;
  process: ProcessConfigView;
  callLog: CallLogSettingsView;
  repository: RepositoryView | null;
  /** `transport: "remote"` only. */
  remote: RemoteConfigView | null;
  /** Variable names with masked values: a secret value never leaves the server in clear. */
  environment: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export const MASKED_VALUE = '********';

/** `GET /api/services/:id/environment` (admin only, audited): the variables in clear. */
export interface ServiceEnvironmentView {
  environment: Record<string, string>;
}
