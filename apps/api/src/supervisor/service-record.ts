import type { HealthCheck } from './health/health-check';
import type { ServiceLog } from './logging/service-log';
import type { TreeUsage } from './resources/process-sampler';
import type { RestartState } from './restart-policy';
import type { DesiredState, ServiceEntity } from '../services/service.entity';
import type { ServiceRuntime } from '../services/service-view.mapper';
import type { RunningChild } from './spawn/running-child';

/** Everything the supervisor holds for one service it has run. */
export interface ServiceRecord {
  readonly id: string;
  readonly name: string;
  /** Settings as of the last (re)start. */
  entity: ServiceEntity;
  desired: DesiredState;
  runtime: ServiceRuntime;
  /** The shared child (`shared` isolation), or the connection of a `remote` service, while it runs. */
  child: RunningChild | null;
  /** `session` isolation: one child per client session. */
  readonly sessions: Set<RunningChild>;
  /** Session children being spawned, counted against maxSessions. */
  pendingSessions: number;
  restartState: RestartState;
  restartTimer: ReturnType<typeof setTimeout> | null;
  /** Why the restart policy parked the service, for its status reason. */
  parkedWhy: string;
  health: HealthCheck | null;
  /** Increases with every child started, shared or session. */
  generation: number;
  /** Resource use of all the service's processes at the last sample. */
  usage: TreeUsage | null;
  log: ServiceLog;
  /** Tail of the chain that runs this service's operations one at a time. */
  queue: Promise<void>;
}

export function sessionChildrenOf(record: ServiceRecord): RunningChild[] {
  return [...record.sessions];
}

/** Every process (or remote connection) the service runs now. */
export function childrenOf(record: ServiceRecord): RunningChild[] {
  return record.child ? [record.child, ...record.sessions] : [...record.sessions];
}
