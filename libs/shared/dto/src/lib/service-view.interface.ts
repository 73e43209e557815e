import { IsolationMode, ResponseMode, ServiceAuthMode, ServiceStatus, ServiceTransport } from './service.enums';

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
}

export interface ProxyConfigView {
  path: string;
  rateLimit: number;
  cache: boolean;
  toolResultTtlSec: number;
  requestTimeoutSec: number;
  responseMode: ResponseMode;
  /** Absent on rows stored before auth modes existed: `apiKey`. */
  auth?: ServiceAuthMode;
}

export interface RepositoryView {
  url: string;
  branch: string;
  entryPoint: string | null;
  /** Deploys run the dependencies' install scripts; absent (older rows) means false. */
  allowScripts?: boolean;
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
  transport: ServiceTransport;
  proxy: ProxyConfigView;
  process: ProcessConfigView;
  repository: RepositoryView | null;
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
