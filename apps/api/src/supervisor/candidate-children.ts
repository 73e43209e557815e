import type { ProcessConfigView } from '@mcp-proxy/shared/dto';
import type { ChildHandle } from './child-handle';
import type { ServiceRecord } from './service-record';
import { ServiceEntity } from '../services/service.entity';
import type { ChildLauncher } from './spawn/child-launcher';
import type { RunningChild, RunningChildExit } from './spawn/running-child';
import type { SupervisedChild } from './spawn/supervised-child';

/** What a candidate runs instead of the stored settings (a new build of a deployed repository). */
export interface CandidateSettings {
  process: Partial<Pick<ProcessConfigView, 'command' | 'args' | 'cwd'>>;
  /** The environment the new version will have; default: the stored one. */
  environment?: Record<string, string>;
}

const DRAIN_POLL_MS = 25;

/**
 * Children of a service that do not serve clients: a candidate started beside the running child
 * (a new deployment being checked), and a replaced child finishing its requests. They are tracked
 * so that stopping the service, or the proxy, stops them too.
 */
export class CandidateChildren {
  private readonly byService = new Map<string, Set<RunningChild>>();

  constructor(private readonly launcher: ChildLauncher) {}

  async spawn(record: ServiceRecord, settings: CandidateSettings, onExit: RunningChildExit): Promise<SupervisedChild> {
    const entity = Object.assign(new ServiceEntity(), record.entity, { process: { ...record.entity.process, ...settings.process } });
    const child = await this.launcher.launch(entity, {
      generation: ++record.generation,
      log: record.log,
      session: false,
      environment: settings.environment,
      onExit: (gone, facts) => {
        this.forget(record.id, gone);
        onExit?.(gone, facts);
      },
    });
    this.track(record.id, child);
    record.log.append('system', `candidate started for a new deployment, pid ${child.pid}`);
    return child;
  }

  find(serviceId: string, handle: ChildHandle): RunningChild | undefined {
    for (const child of this.byService.get(serviceId) ?? []) if (child === handle) return child;
    return undefined;
  }

  /** No longer the service's business here: promoted to serve, or gone. */
  forget(serviceId: string, child: RunningChild): void {
    const set = this.byService.get(serviceId);
    set?.delete(child);
    if (set?.size === 0) this.byService.delete(serviceId);
  }

  /**
   * A replaced child gets no new requests; it is stopped once those it has in flight are answered,
   * or after `drainMs`, whichever comes first.
   */
  async retire(serviceId: string, child: RunningChild, drainMs: number, reason: string): Promise<void> {
    this.track(serviceId, child);
    const deadline = Date.now() + drainMs;
    while (child.isRunning && (child.peer?.pendingCount ?? 0) > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
    await child.stop({ reason });
    this.forget(serviceId, child);
  }

  async stopAll(serviceId: string, reason: string): Promise<void> {
    await Promise.all([...(this.byService.get(serviceId) ?? [])].map((child) => child.stop({ reason })));
  }

  killAll(): void {
    for (const set of this.byService.values()) for (const child of set) child.killNow();
  }

  private track(serviceId: string, child: RunningChild): void {
    const set = this.byService.get(serviceId) ?? new Set();
    set.add(child);
    this.byService.set(serviceId, set);
  }
}
