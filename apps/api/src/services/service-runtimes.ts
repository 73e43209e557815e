import { Injectable } from '@nestjs/common';
import { NOT_RUNNING, ServiceRuntime } from './service-view.mapper';

/**
 * The supervisor's live facts per service (status, pid, restarts…), read by the registry to build
 * service views. Kept apart from both so neither has to depend on the other.
 *
 * Several instances: the facts of services another instance runs come from that owner (through the
 * cluster module) and are shown while nothing of the service is active here.
 */
@Injectable()
export class ServiceRuntimes {
  private readonly table = new Map<string, ServiceRuntime>();
  private readonly remote = new Map<string, ServiceRuntime>();
  /** This instance's id in a cluster; null when the proxy runs alone (views then carry no instance). */
  private selfInstance: string | null = null;

  get(serviceId: string): ServiceRuntime {
    const local = this.table.get(serviceId);
    if (local && local.status !== 'stopped') return this.selfInstance ? { ...local, instance: this.selfInstance } : local;
    return this.remote.get(serviceId) ?? local ?? NOT_RUNNING;
  }

  /** What this instance's own supervisor knows, never another owner's facts. */
  local(serviceId: string): ServiceRuntime {
    return this.table.get(serviceId) ?? NOT_RUNNING;
  }

  set(serviceId: string, runtime: ServiceRuntime): void {
    this.table.set(serviceId, runtime);
  }

  delete(serviceId: string): void {
    this.table.delete(serviceId);
    this.remote.delete(serviceId);
  }

  /** Cluster mode: views name this instance as the runner of what it runs. */
  identifyAs(instanceId: string): void {
    this.selfInstance = instanceId;
  }

  /** The owner's facts for a service run elsewhere; null when no owner publishes any (anymore). */
  setRemote(serviceId: string, runtime: ServiceRuntime | null): void {
    if (runtime) this.remote.set(serviceId, runtime);
    else this.remote.delete(serviceId);
  }

  remoteIds(): string[] {
    return [...this.remote.keys()];
  }

  /** Services whose status is `running` right now (on whichever instance runs them). */
  countRunning(): number {
    let running = 0;
    for (const id of new Set([...this.table.keys(), ...this.remote.keys()])) if (this.get(id).status === 'running') running++;
    return running;
  }
}
