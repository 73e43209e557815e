import { Injectable } from '@nestjs/common';
import { childPerSession, type ProcessConfigView } from '@mcp-proxy/shared/dto';
import type { ChildHandle } from './child-handle';
import { ResourceWatch } from './resources/resource-watch';
import { childrenOf, ServiceRecord } from './service-record';
import { ServiceEvents } from '../services/service-events';
import { ChildLauncher } from './spawn/child-launcher';
import type { RunningChild } from './spawn/running-child';
import type { ExitFacts, SupervisedChild } from './spawn/supervised-child';
import { NotSessionIsolatedError, ServiceNotRunningError, SessionLimitError, SessionUnavailableError } from './supervisor-errors';
import { inBackground } from '../core/logging/background';

/** Children at once of a service with a child per session: a pool's ready ones count too. */
export function sessionChildLimit(process: ProcessConfigView): number {
  return process.isolation === 'pool' ? (process.pool?.max ?? process.maxSessions) : process.maxSessions;
}

/**
 * `session` and `pool` isolation: one child per client session, started on demand, never restarted (the
 * session is gone with it), at most `maxSessions` at once.
 */
@Injectable()
export class SessionChildren {
  constructor(
    private readonly launcher: ChildLauncher,
    private readonly events: ServiceEvents,
    private readonly watch: ResourceWatch,
  ) {}

  async spawn(record: ServiceRecord): Promise<SupervisedChild> {
    const { name, entity } = record;
    if (!childPerSession(entity.process.isolation)) throw new NotSessionIsolatedError(name);
    if (record.runtime.status !== 'running') throw new ServiceNotRunningError(name, record.runtime.status);
    const limit = sessionChildLimit(entity.process);
    // Children still starting count too, so a burst of new sessions cannot overshoot the limit.
    if (record.sessions.size + record.pendingSessions >= limit) throw new SessionLimitError(name, limit);

    record.pendingSessions++;
    let child: SupervisedChild;
    try {
      child = await this.launcher.launch(entity, {
        generation: ++record.generation,
        log: record.log,
        session: true,
        onExit: (gone, facts) => this.onExit(record, gone, facts),
      });
    } catch (error) {
      throw new SessionUnavailableError(
        name,
        `MCP server "${name}" could not start a session: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      record.pendingSessions--;
    }
    // Stopped while this child was starting: it must not outlive the service.
    if (record.runtime.status !== 'running') {
      await child.stop({ reason: 'service stopped' });
      throw new ServiceNotRunningError(name, record.runtime.status);
    }
    record.sessions.add(child);
    record.log.append('system', `session child started, pid ${child.pid} (${record.sessions.size} of ${limit})`);
    this.watch.ensureRunning();
    return child;
  }

  /** Resolves when the child and its process group are gone; a handle that is not running (any more) is fine. */
  async stop(record: ServiceRecord | undefined, handle: ChildHandle): Promise<void> {
    for (const child of record?.sessions ?? []) if (child === handle) await child.stop({ reason: 'session ended' });
  }

  private onExit(record: ServiceRecord, child: RunningChild, facts: ExitFacts): void {
    record.sessions.delete(child);
    if (childrenOf(record).length === 0) record.usage = null;
    if (!facts.expected) record.log.append('system', `session child pid ${child.pid} exited (${facts.cause})`, 'warn');
    inBackground(
      child.exited.then((exit) => this.events.exited(exit)),
      'SessionChildren',
      'Announcing the exit of a session child',
    );
  }
}
