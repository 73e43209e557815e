import type { DeploymentSummaryView } from './deployment-view.interface';
import type { NetworkStatusView } from './network-view.interface';
import type { ServiceStatus } from './service.enums';
import type { ServiceView } from './service-view.interface';

/** One line of a service's log, as stored, served and streamed: secret values are already masked. */
export interface ServiceLogLineView {
  serviceId: string;
  serviceName: string;
  time: string;
  stream: 'stderr' | 'stdout' | 'system';
  level: 'info' | 'warn' | 'error';
  text: string;
}

/** `GET /api/services/:id/logs?tail=N`: the newest lines kept in memory, oldest first. */
export interface ServiceLogsView {
  serviceId: string;
  serviceName: string;
  lines: ServiceLogLineView[];
}

export const LOG_TAIL_DEFAULT = 200;
export const LOG_TAIL_MAX = 5000;

/** What the supervisor knows about a service's processes. */
export interface ProcessMetricsView {
  status: ServiceStatus;
  pid: number | null;
  /** Seconds since the shared child started; null when none runs. */
  uptimeSec: number | null;
  restarts: number;
  /** Resident memory of the whole process tree (shared child, its descendants, session children). */
  rssBytes: number | null;
  /** CPU of the whole tree over the last sampling interval, in % of one core. */
  cpuPercent: number | null;
  /** Processes in the tree at the last sample. */
  processCount: number;
  /** `session` isolation only: children running now and the most allowed. */
  sessions: { active: number; max: number } | null;
  sampledAt: string | null;
}

/** Request figures the MCP data plane adds to a service's metrics (since the proxy started). */
export interface ProxyMetricsView {
  requests: number;
  errors: number;
  /** errors / requests, 0 when there were none. */
  errorRate: number;
  /** Requests in the last 60 seconds. */
  requestsPerMinute: number;
  byMethod: Record<string, number>;
  /** From a log-scale histogram: accurate to about 10%. Null before the first request. */
  latencyMs: { p50: number | null; p90: number | null; p99: number | null };
  inflight: number;
  sessions: number;
  /** List results (tools/list, …) answered from the cache. */
  cache: { hits: number; misses: number; hitRate: number | null };
}

/** `GET /api/services/:id/metrics`: one section per module that knows something about the service. */
export interface ServiceMetricsView {
  serviceId: string;
  serviceName: string;
  process: ProcessMetricsView;
  proxy?: ProxyMetricsView;
}

/** Messages a client sends on the live WebSocket (`/ws`). */
export type LiveClientMessage =
  | { type: 'auth'; token: string }
  | { type: 'subscribe'; channel: string }
  | { type: 'unsubscribe'; channel: string };

/** Messages the live WebSocket sends. Channels: `logs:<service>`, `status`, `metrics`, `deploy:<deploymentId>`. */
export type LiveServerMessage =
  | { type: 'ready' }
  | { type: 'subscribed'; channel: string }
  | { type: 'unsubscribed'; channel: string }
  | { type: 'backlog'; channel: string; lines: ServiceLogLineView[] }
  | { type: 'log'; channel: string; line: ServiceLogLineView }
  | { type: 'status'; channel: 'status'; service: ServiceView }
  | { type: 'metrics'; channel: 'metrics'; metrics: ServiceMetricsView }
  /** `deploy:<id>`: the deployment at subscription and at every status change. */
  | { type: 'deployment'; channel: string; deployment: DeploymentSummaryView }
  /** `deploy:<id>`: build log lines (at subscription: every line so far). */
  | { type: 'deploy-log'; channel: string; lines: string[] }
  /** `network`: the network status at subscription and at every change. */
  | { type: 'network'; channel: 'network'; network: NetworkStatusView }
  | { type: 'error'; message: string; channel?: string };
