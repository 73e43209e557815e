import { Injectable, OnModuleInit } from '@nestjs/common';
import type { Server } from 'node:http';
import { DeclaredHandlers } from './declared-handlers';

/** A part of the app that has work to finish before the process stops (the MCP data plane's calls). */
export interface Drainer {
  readonly name: string;
  /** Finishes what is in progress; resolves early if it can, is abandoned at `deadline` (epoch ms). */
  drain(deadline: number): Promise<void>;
}

const DRAINS_ON_SHUTDOWN = Symbol('drains-on-shutdown');

/** The decorated provider's `drain` runs in the first half of a graceful stop (see GracefulShutdown). */
export function DrainsOnShutdown() {
  return (target: new (...args: never[]) => Drainer): void => Reflect.defineMetadata(DRAINS_ON_SHUTDOWN, true, target);
}

/**
 * The first half of a graceful stop (SIGTERM): the listeners stop accepting connections, the parts
 * that hold calls finish them within the grace period, then the app closes as usual (children
 * stopped by the supervisor, leases given up). The drainers are the providers marked `@DrainsOnShutdown()`,
 * collected once at start-up.
 */
@Injectable()
export class GracefulShutdown implements OnModuleInit {
  private readonly servers = new Set<Server>();
  private readonly drainers: Drainer[] = [];
  private stopping = false;

  constructor(private readonly declared: DeclaredHandlers) {}

  onModuleInit(): void {
    for (const { instance } of this.declared.classes(DRAINS_ON_SHUTDOWN)) this.drainers.push(instance as Drainer);
  }

  get draining(): boolean {
    return this.stopping;
  }

  track(server: Server): void {
    this.servers.add(server);
  }

  /** Stops accepting, then waits for every drainer (at most `graceMs`); idempotent. */
  async drain(graceMs: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const deadline = Date.now() + graceMs;
    for (const server of this.servers) {
      server.close();
      server.closeIdleConnections();
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.allSettled(this.drainers.map((drainer) => drainer.drain(deadline))), timeUp]);
    clearTimeout(timer);
    for (const server of this.servers) server.closeAllConnections();
  }
}
