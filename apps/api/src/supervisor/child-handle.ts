import type { JsonRpcPeer } from '@mcp-proxy/mcp/protocol';
import type { ServiceLogLineView } from '@mcp-proxy/shared/dto';

/** How a child ended. */
export interface ChildExit {
  serviceId: string;
  generation: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** A sentence for people: "exited with code 1: <stderr tail>", "killed: memory limit 256 MB exceeded". */
  reason: string;
  /** True when the proxy stopped it on purpose (stop, restart, session end), false when it died. */
  expected: boolean;
}

/**
 * A running child as the proxy sees it. This is the seam between Processes (which owns the
 * process) and Proxy (which speaks MCP to it): the proxy never touches the ChildProcess.
 */
export interface ChildHandle {
  readonly serviceId: string;
  readonly serviceName: string;
  /** Increases at every (re)start of the service, so stale state can be recognised. */
  readonly generation: number;
  readonly pid: number;
  /**
   * JSON-RPC over the child's stdin/stdout for `stdio` services (null for `http`). Requests sent
   * through it fail at once with SERVER_UNAVAILABLE when the child dies: callers never hang.
   */
  readonly peer: JsonRpcPeer | null;
  /** `http` services: the port the child listens on on 127.0.0.1. */
  readonly port: number | null;
  /** Settles when the child has exited. */
  readonly exited: Promise<ChildExit>;
}

/** Events the supervisor emits (through @nestjs/event-emitter), for the proxy, the live gateway and metrics. */
export const SERVICE_EVENTS = {
  /** A shared child is up (payload: ChildHandle): the proxy initializes it and rebuilds its routes. */
  started: 'service.started',
  /** A child is gone (payload: ChildExit). */
  exited: 'service.exited',
  /** A service's status changed (payload: ServiceView). */
  status: 'service.status',
  /** A log line (payload: ServiceLogLine). */
  log: 'service.log',
  /** Registry changes (payload: { serviceId }); the proxy rebuilds its route table. */
  changed: 'service.changed',
  /** A service is about to be deleted, its settings still stored (payload: { serviceId }); awaited by the deletion. */
  removing: 'service.removing',
  /** A fresh process sample of a running service (payload: ServiceMetricsView), every few seconds. */
  metrics: 'service.metrics',
} as const;

/** A log line (already masked: values of the service's secrets never appear in it); its shape is shared with the admin app. */
export type ServiceLogLine = ServiceLogLineView;
