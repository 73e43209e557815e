import { Injectable } from '@nestjs/common';
import { NOT_RUNNING, ServiceRuntime } from './service-view.mapper';

/**
 * The supervisor's live facts per service (status, pid, restarts…), read by the registry to build
 * service views. Kept apart from both so neither has to depend on the other.
 */
@Injectable()
export class ServiceRuntimes {
  private readonly table = new Map<string, ServiceRuntime>();

  get(serviceId: string): ServiceRuntime {
    return this.table.get(serviceId) ?? NOT_RUNNING;
  }

  set(serviceId: string, runtime: ServiceRuntime): void {
    this.table.set(serviceId, runtime);
  }

  delete(serviceId: string): void {
    this.table.delete(serviceId);
  }

  /** Services whose status is `running` right now. */
  countRunning(): number {
    let running = 0;
    for (const runtime of this.table.values()) if (runtime.status === 'running') running++;
    return running;
  }
}
