import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { ServiceView } from '@mcp-proxy/shared/dto';
import { SERVICE_EVENTS, type ChildExit } from '../../supervisor/child-handle';
import { ProcessSupervisor } from '../../supervisor/process-supervisor';
import { SessionLimitError } from '../../supervisor/supervisor-errors';
import { initializeServer, PROXY_CLIENT_INFO } from './upstream';
import { WarmPool, type WarmChild } from './warm-pool';

const INITIALIZE_TIMEOUT_MS = 30_000;
/** After a child of the pool failed to start (or exited while it waited), the next try. */
const RETRY_MS = 5_000;

/**
 * The warm pools of the `pool`-isolated services this instance runs: one while a service runs here, made again
 * when it is started again or a new version is promoted (its ready children were the old one's), closed when it
 * stops or its `pool.min` changes.
 */
@Injectable()
export class SessionPools implements OnModuleDestroy {
  private readonly logger = new Logger('SessionPools');
  private readonly pools = new Map<string, { startedAt: string | null; pool: WarmPool }>();

  constructor(private readonly supervisor: ProcessSupervisor) {}

  @OnEvent(SERVICE_EVENTS.status)
  onStatus(view: ServiceView): void {
    const current = this.pools.get(view.id);
    const wanted = view.process.isolation === 'pool' && view.status === 'running' && this.supervisor.runsHere(view.id);
    const min = view.process.pool?.min ?? 0;
    if (current && wanted && current.startedAt === view.startedAt && current.pool.min === min) return;
    current?.pool.close();
    this.pools.delete(view.id);
    if (wanted && min > 0) this.pools.set(view.id, { startedAt: view.startedAt, pool: this.poolFor(view.id, view.name, min) });
  }

  /** A child of the service ended (a session's, say): below its limit again, the pool may start the next. */
  @OnEvent(SERVICE_EVENTS.exited)
  onExited(exit: ChildExit): void {
    this.pools.get(exit.serviceId)?.pool.topUp();
  }

  /** A child of the service's pool (ready, or about to be), or null when none is on its way. */
  async take(serviceId: string): Promise<WarmChild | null> {
    return (await this.pools.get(serviceId)?.pool.take()) ?? null;
  }

  /** Starts and initializes a child for a session now (the pool had none ready). */
  async startOne(serviceId: string): Promise<WarmChild> {
    const handle = await this.supervisor.spawnSessionChild(serviceId);
    if (!handle.peer) {
      void this.supervisor.stopSessionChild(handle);
      throw new Error('a pool needs a stdio server');
    }
    try {
      return {
        handle,
        identity: await initializeServer(handle.peer, PROXY_CLIENT_INFO, INITIALIZE_TIMEOUT_MS),
      };
    } catch (error) {
      void this.supervisor.stopSessionChild(handle);
      throw error;
    }
  }

  /** Children ready now (for tests and metrics). */
  readyCount(serviceId: string): number {
    return this.pools.get(serviceId)?.pool.readyCount ?? 0;
  }

  onModuleDestroy(): void {
    for (const { pool } of this.pools.values()) pool.close();
    this.pools.clear();
  }

  private poolFor(serviceId: string, name: string, min: number): WarmPool {
    return new WarmPool({
      min,
      start: () => this.startOne(serviceId),
      stop: (handle) => void this.supervisor.stopSessionChild(handle),
      onError: (error) => {
        // At its child limit the pool simply waits for sessions to end.
        if (error instanceof SessionLimitError) return;
        this.logger.warn(`Could not start a ready child of "${name}": ${error instanceof Error ? error.message : String(error)}`);
      },
      retryMs: RETRY_MS,
    });
  }
}
