import { MASKED_VALUE, RemoteConfigView, SandboxStatusView, ServiceView } from '@mcp-proxy/shared/dto';
import type { ServiceEntity } from './service.entity';

/** Runtime facts from the supervisor; a service that was never started has none. */
export interface ServiceRuntime {
  status: ServiceView['status'];
  pid: number | null;
  restarts: number;
  startedAt: Date | null;
  lastExitCode: number | null;
  statusReason: string | null;
  /** Why the last child died on its own (a crash, a limit hit); kept after the restart that followed. */
  lastExitReason?: string | null;
  /** The sandbox of the last child started. */
  sandbox?: SandboxStatusView | null;
  /** Several instances: the one whose children these facts describe. */
  instance?: string | null;
}

export const NOT_RUNNING: ServiceRuntime = {
  status: 'stopped',
  pid: null,
  restarts: 0,
  startedAt: null,
  lastExitCode: null,
  statusReason: null,
};

/** The runtime part of a service's view, as JSON (dates as ISO strings): what the API shows and what an owner publishes. */
export type RuntimeView = Required<
  Pick<
    ServiceView,
    'status' | 'pid' | 'restarts' | 'startedAt' | 'lastExitCode' | 'statusReason' | 'lastExitReason' | 'sandbox' | 'instance'
  >
>;

export function toRuntimeView(runtime: ServiceRuntime): RuntimeView {
  return {
    status: runtime.status,
    pid: runtime.pid,
    restarts: runtime.restarts,
    startedAt: runtime.startedAt?.toISOString() ?? null,
    lastExitCode: runtime.lastExitCode,
    statusReason: runtime.statusReason,
    lastExitReason: runtime.lastExitReason ?? null,
    sandbox: runtime.sandbox ?? null,
    instance: runtime.instance ?? null,
  };
}

export function toServiceView(
  entity: ServiceEntity,
  environmentKeys: string[],
  runtime: ServiceRuntime = NOT_RUNNING,
  remote: RemoteConfigView | null = null,
): ServiceView {
  return {
    id: entity.id,
    name: entity.name,
    ...toRuntimeView(runtime),
    transport: entity.transport,
    // Rows stored before tool pinning have no policy: the default.
    proxy: { ...entity.proxy, driftPolicy: entity.proxy.driftPolicy ?? 'warn' },
    process: entity.process,
    callLog: entity.callLog ?? { payloads: false },
    repository: entity.repository,
    remote,
    environment: Object.fromEntries(environmentKeys.map((key) => [key, MASKED_VALUE])),
    createdAt: entity.createdAt.toISOString(),
    updatedAt: entity.updatedAt.toISOString(),
  };
}
