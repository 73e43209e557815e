import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { childPerSession } from '@mcp-proxy/shared/dto';
import type { ProxyMetricsView, ServiceLogsView, ServiceMetricsView, ServiceStatus, ServiceView } from '@mcp-proxy/shared/dto';
import { AppLogger } from '../core/logging/app-logger';
import { CandidateChildren, CandidateSettings } from './candidate-children';
import type { ChildHandle } from './child-handle';
import { CHILD_PLACEMENT, ChildPlacement } from './child-placement';
import { Clock } from '../core/time/clock';
import { healthCheckFor } from './health/health-check';
import { ServiceLogs } from './logging/service-logs';
import { toMetricsView } from './resources/metrics-view';
import { ResourceWatch } from './resources/resource-watch';
import { decideAfterExit, FRESH_RESTART_STATE } from './restart-policy';
import type { ServiceEntity } from '../services/service.entity';
import { ServiceEvents } from '../services/service-events';
import { childrenOf, ServiceRecord } from './service-record';
import { ServiceRuntimes } from '../services/service-runtimes';
import type { ServiceRuntime } from '../services/service-view.mapper';
import { ServicesService } from '../services/services.service';
import { SessionChildren, sessionChildLimit } from './session-children';
import { ChildLauncher } from './spawn/child-launcher';
import type { RunningChild } from './spawn/running-child';
import type { ExitFacts } from './spawn/supervised-child';
import { CandidateGoneError, ServiceNotRunningError } from './supervisor-errors';
import { SUPERVISOR_OPTIONS, SupervisorOptions } from './supervisor-options';
import { inBackground } from '../core/logging/background';

/**
 * Runs services as supervised child processes: start, stop, restart with back-off, health and memory
 * checks, session children, and the handles the MCP data plane talks to.
 *
 * Operations on one service run one after another (start, stop, restart, automatic restarts), so
 * they never interleave; different services are independent.
 */
@Injectable()
export class ProcessSupervisor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly records = new Map<string, ServiceRecord>();
  private readonly idsByName = new Map<string, string>();
  private shuttingDown = false;
  private proxyMetrics: ((serviceId: string) => ProxyMetricsView | undefined) | null = null;
  /** Deployments' candidates and the children they replace while those drain. */
  private readonly candidates: CandidateChildren;
  /** If the proxy dies without a shutdown, its children must not outlive it. */
  private readonly killAllOnExit = (): void => {
    for (const record of this.records.values()) for (const child of childrenOf(record)) child.killNow();
    this.candidates.killAll();
  };

  constructor(
    private readonly services: ServicesService,
    private readonly runtimes: ServiceRuntimes,
    private readonly launcher: ChildLauncher,
    private readonly sessions: SessionChildren,
    private readonly logs: ServiceLogs,
    private readonly watch: ResourceWatch,
    private readonly events: ServiceEvents,
    private readonly logger: AppLogger,
    private readonly clock: Clock,
    @Inject(SUPERVISOR_OPTIONS) private readonly options: SupervisorOptions,
    /** Several instances: a lease decides which one runs each service (ClusterLinkModule); alone, all run here. */
    @Inject(CHILD_PLACEMENT) private readonly placement: ChildPlacement,
  ) {
    this.candidates = new CandidateChildren(launcher);
    this.watch.attach(
      () => this.records.values(),
      (record) => this.events.metrics(this.metricsView(record.entity, record)),
    );
    process.on('exit', this.killAllOnExit);
  }

  // ─── For the MCP data plane ────────────────────────────────────────────────────────────────

  /** The running shared child of a service (by id or name), or null. Synchronous and O(1): for the hot path. */
  handleOf(serviceIdOrName: string): ChildHandle | null {
    return this.recordByKey(serviceIdOrName)?.child ?? null;
  }

  /** The service's status as the supervisor sees it; `stopped` for one it never ran. */
  statusOf(serviceIdOrName: string): ServiceStatus {
    return this.recordByKey(serviceIdOrName)?.runtime.status ?? 'stopped';
  }

  /** Services that are running now (for `session` isolation: started and accepting sessions). */
  runningCount(): number {
    return this.runtimes.countRunning();
  }

  /**
   * A new child for one client session of a `session`-isolated service. Its peer uses `mcp-proxy:<n>`
   * ids. Never restarted automatically; end it with stopSessionChild. Throws a SessionUnavailableError
   * (SessionLimitError, ServiceNotRunningError, NotSessionIsolatedError) for the proxy to answer 503.
   */
  async spawnSessionChild(serviceIdOrName: string): Promise<ChildHandle> {
    const record = this.recordByKey(serviceIdOrName) ?? this.recordOf(await this.services.entityOf(serviceIdOrName));
    if (this.shuttingDown) throw new ServiceNotRunningError(record.name, 'stopped');
    return this.sessions.spawn(record);
  }

  /** Ends a session child and its process group; resolves when nothing of it is left. Safe to call twice. */
  async stopSessionChild(handle: ChildHandle): Promise<void> {
    await this.sessions.stop(this.records.get(handle.serviceId), handle);
  }

  /** The data plane's request figures, merged into `GET /api/services/:id/metrics` as `proxy`. */
  contributeProxyMetrics(provider: (serviceId: string) => ProxyMetricsView | undefined): void {
    this.proxyMetrics = provider;
  }

  /**
   * Another instance runs the service now (this one lost its lease): its children stop here, the
   * desired state stays as it is.
   */
  async relinquish(serviceId: string): Promise<void> {
    const record = this.records.get(serviceId);
    if (record) await this.enqueue(record, () => this.halt(record, 'another instance runs it now'));
    else await this.placement.release(serviceId);
  }

  /** Whether this instance runs the service's children now (started here and not stopped since). */
  runsHere(serviceId: string): boolean {
    const record = this.records.get(serviceId);
    return record !== undefined && this.isUp(record);
  }

  // ─── Management API ────────────────────────────────────────────────────────────────────────

  async start(serviceIdOrName: string): Promise<ServiceView> {
    const record = await this.wantRunning(serviceIdOrName);
    await this.enqueue(record, async () => {
      if (record.desired !== 'running' || this.isUp(record)) return;
      await this.bringUp(record);
    });
    return this.services.viewOf(record.entity);
  }

  async stop(serviceIdOrName: string): Promise<ServiceView> {
    const entity = await this.services.entityOf(serviceIdOrName);
    await this.services.setDesiredState(entity.id, 'stopped');
    const record = this.records.get(entity.id);
    if (!record) return this.services.viewOf(entity);
    record.desired = 'stopped';
    await this.enqueue(record, () => this.halt(record, 'stopped'));
    return this.services.viewOf(record.entity);
  }

  async restart(serviceIdOrName: string): Promise<ServiceView> {
    const record = await this.wantRunning(serviceIdOrName);
    if (!this.isUp(record) && (await this.placement.restartElsewhere(record.id))) return this.services.viewOf(record.entity);
    await this.enqueue(record, async () => {
      if (record.desired !== 'running') return;
      if (childrenOf(record).length > 0) {
        this.setStatus(record, { status: 'restarting', statusReason: 'restart requested' });
        await this.stopChildren(record, 'restarting');
      }
      await this.bringUp(record);
    });
    return this.services.viewOf(record.entity);
  }

  /**
   * After a settings change: the supervisor uses the new settings from now on, and a running service
   * restarts at once when `restart` is set (its command, environment or transport changed).
   */
  async applySettings(serviceIdOrName: string, { restart }: { restart: boolean }): Promise<ServiceView> {
    const entity = await this.services.entityOf(serviceIdOrName);
    const record = this.records.get(entity.id);
    if (!record) return this.services.viewOf(entity);
    record.entity = entity;
    const active: ServiceStatus[] = ['starting', 'running', 'restarting'];
    const running = record.desired === 'running' && active.includes(record.runtime.status);
    return restart && running ? this.restart(entity.id) : this.services.viewOf(entity);
  }

  /**
   * A service with nothing to run whose deploy failed: shown `failed` with the deploy's reason rather
   * than `stopped` (which looks ready to start). Changes nothing that runs; the next deploy or start
   * replaces the status.
   */
  async markNotDeployed(serviceIdOrName: string, reason: string): Promise<void> {
    const record = this.recordOf(await this.services.entityOf(serviceIdOrName));
    await this.enqueue(record, async () => {
      if (this.isUp(record) || record.entity.process.command) return;
      this.setStatus(record, { status: 'failed', pid: null, startedAt: null, statusReason: reason });
    });
  }

  /** Before a service is deleted: stop everything it runs and forget it. */
  async discard(serviceIdOrName: string): Promise<void> {
    const entity = await this.services.entityOf(serviceIdOrName);
    const record = this.records.get(entity.id);
    if (record) {
      record.desired = 'stopped';
      await this.enqueue(record, () => this.halt(record, 'service deleted'));
      this.records.delete(entity.id);
      this.idsByName.delete(entity.name);
      this.runtimes.delete(entity.id);
    }
    await this.logs.drop(entity.id);
  }

  async logsOf(serviceIdOrName: string, tail: number): Promise<ServiceLogsView> {
    const entity = await this.services.entityOf(serviceIdOrName);
    return { serviceId: entity.id, serviceName: entity.name, lines: this.logs.tail(entity.id, tail) };
  }

  async metricsOf(serviceIdOrName: string): Promise<ServiceMetricsView> {
    const entity = await this.services.entityOf(serviceIdOrName);
    const record = this.records.get(entity.id);
    if (record) await this.watch.refresh(record);
    return this.metricsView(entity, record);
  }

  // ─── Deployments: a new version beside the running one ─────────────────────────────────────

  /**
   * Starts a second shared child of the service from `settings` (a new build), beside the one that
   * serves. It gets no client traffic: the caller checks it through its handle, then promotes or
   * discards it. Stopping the service stops it too.
   */
  async launchCandidate(serviceIdOrName: string, settings: CandidateSettings): Promise<ChildHandle> {
    const record = this.recordOf(await this.services.entityOf(serviceIdOrName));
    if (this.shuttingDown) throw new ServiceNotRunningError(record.name, 'stopped');
    const child = await this.candidates.spawn(record, settings, (gone, facts) => this.onSharedChildExit(record, gone, facts));
    if (this.shuttingDown) {
      await child.stop({ reason: 'proxy shutting down' });
      throw new ServiceNotRunningError(record.name, 'stopped');
    }
    return child;
  }

  /**
   * Serves a checked candidate in place of the running child, with no gap: the `service.started`
   * event sends new requests to it at once, and the replaced child is stopped once it has answered
   * the requests it holds (up to `drainMs`), in the background. `beforeSwap` runs first, in the
   * service's turn, once the candidate is known to be alive: it stores the settings that run the
   * candidate, so a later restart runs the same version; if it throws, nothing is swapped. Also
   * starts a service that was not running.
   */
  async promoteCandidate(
    handle: ChildHandle,
    { drainMs, beforeSwap }: { drainMs: number; beforeSwap?: () => Promise<void> },
  ): Promise<ServiceView> {
    const record = this.records.get(handle.serviceId);
    const candidate = record ? this.candidates.find(record.id, handle) : undefined;
    if (!record || !candidate?.isRunning) throw new CandidateGoneError(handle.serviceName);
    let replaced: RunningChild | null = null;
    await this.enqueue(record, async () => {
      if (!candidate.isRunning) throw new CandidateGoneError(record.name);
      await beforeSwap?.();
      // Only now: a promotion that did not happen must not leave a service wanted "running" with nothing to run.
      await this.services.setDesiredState(record.id, 'running');
      record.entity = await this.services.entityOf(record.id);
      record.desired = 'running';
      this.candidates.forget(record.id, candidate);
      this.clearRestartTimer(record);
      record.restartState = FRESH_RESTART_STATE;
      record.health?.stop();
      record.health = null;
      if (childPerSession(record.entity.process.isolation)) {
        // Each session starts a child of its own from the new settings; the check was all the candidate was for.
        await candidate.stop({ reason: 'checked; sessions start their own children' });
        this.setStatus(record, { status: 'running', pid: null, restarts: 0, startedAt: new Date(this.clock.now()), statusReason: null });
        return;
      }
      replaced = record.child;
      record.child = candidate;
      record.log.append(
        'system',
        `new version serves now, pid ${candidate.pid}${replaced ? ` (pid ${replaced.pid} finishes its requests)` : ''}`,
      );
      this.setStatus(record, {
        status: 'running',
        pid: candidate.pid,
        restarts: 0,
        startedAt: new Date(candidate.startedAt),
        statusReason: null,
      });
      this.events.started(candidate);
      this.watchHealth(record, candidate);
      this.watch.ensureRunning();
    });
    // Outside the service's queue, so a stop or restart during the drain is not held up by it.
    const old = replaced as RunningChild | null;
    if (old) {
      void this.candidates
        .retire(record.id, old, drainMs, 'replaced by a new deployment')
        .catch((error: unknown) => this.logger.event('error', { service: record.name, err: error }, 'Could not stop the replaced child'));
    }
    return this.services.viewOf(record.entity);
  }

  /** A candidate that failed its check (or a deploy that gave up): stopped, the running child untouched. */
  async discardCandidate(handle: ChildHandle, reason: string): Promise<void> {
    const candidate = this.candidates.find(handle.serviceId, handle);
    if (candidate) await candidate.stop({ reason });
  }

  // ─── Application lifecycle ─────────────────────────────────────────────────────────────────

  /** Services that were running when the proxy last stopped come back. */
  async onApplicationBootstrap(): Promise<void> {
    const wanted = await this.services.listDesiredRunning();
    await Promise.all(
      wanted.map((entity) =>
        this.start(entity.id).catch((error: unknown) =>
          this.logger.event('error', { service: entity.name, err: error }, `Could not bring "${entity.name}" back up`),
        ),
      ),
    );
  }

  /**
   * Stops every child before the HTTP server and the database close, within the grace period (plus
   * a little for SIGKILL). The desired state is left as it is, so the services come back next time.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    this.watch.stop();
    const records = [...this.records.values()];
    const stopping = records.map((record) => this.halt(record, 'proxy shutting down'));
    await withDeadline(Promise.allSettled(stopping), this.options.stopGraceMs + 3000);
    process.off('exit', this.killAllOnExit);
    this.killAllOnExit();
  }

  // ─── Shared children ───────────────────────────────────────────────────────────────────────

  private async wantRunning(serviceIdOrName: string): Promise<ServiceRecord> {
    const entity = await this.services.entityOf(serviceIdOrName);
    await this.services.setDesiredState(entity.id, 'running');
    const record = this.recordOf(entity);
    record.desired = 'running';
    return record;
  }

  /** A user's start: the restart history and counter start afresh. */
  private async bringUp(record: ServiceRecord): Promise<void> {
    this.clearRestartTimer(record);
    record.restartState = FRESH_RESTART_STATE;
    record.runtime = { ...record.runtime, restarts: 0 };
    record.entity = await this.services.entityOf(record.id);
    // Checked for every kind (a session-isolated service would otherwise look running and fail each session).
    const unreadable = await this.services.unreadableSecrets(record.id);
    if (unreadable) {
      record.log.append('system', `cannot start: ${unreadable}`, 'error');
      this.setStatus(record, { status: 'failed', pid: null, startedAt: null, statusReason: unreadable });
      return;
    }
    if (!(await this.placement.claim(record.id))) {
      this.setStatus(record, { status: 'stopped', pid: null, startedAt: null, statusReason: 'runs on another instance' });
      return;
    }
    if (childPerSession(record.entity.process.isolation)) {
      const pool = record.entity.process.isolation === 'pool' ? `, ${record.entity.process.pool?.min ?? 0} kept ready` : '';
      record.log.append('system', `accepting sessions (up to ${sessionChildLimit(record.entity.process)} children${pool})`);
      this.setStatus(record, { status: 'running', pid: null, startedAt: new Date(this.clock.now()), statusReason: null });
      return;
    }
    await this.launchShared(record);
  }

  private async launchShared(record: ServiceRecord): Promise<void> {
    const generation = ++record.generation;
    this.setStatus(record, { status: 'starting', pid: null, startedAt: null });
    let child: RunningChild;
    try {
      child = await this.launcher.start(record.entity, {
        generation,
        log: record.log,
        session: false,
        onExit: (gone, facts) => this.onSharedChildExit(record, gone, facts),
      });
    } catch (error) {
      const reason = messageOf(error);
      record.log.append('system', `cannot start: ${reason}`, 'error');
      this.setStatus(record, { status: 'failed', pid: null, startedAt: null, statusReason: reason });
      return;
    }
    if (this.shuttingDown) {
      await child.stop({ reason: 'proxy shutting down' });
      return;
    }
    record.child = child;
    record.log.append('system', `started, ${child.description}`);
    this.setStatus(record, {
      status: 'running',
      pid: child.pid || null,
      startedAt: new Date(child.startedAt),
      statusReason: null,
      sandbox: child.sandbox,
    });
    this.events.started(child);
    this.watchHealth(record, child);
    this.watch.ensureRunning();
  }

  /** Runs the instant the process exits, so a dead child is never handed out or shown as running. */
  private onSharedChildExit(record: ServiceRecord, child: RunningChild, facts: ExitFacts): void {
    if (record.child !== child) return;
    record.child = null;
    record.health?.stop();
    record.health = null;
    if (childrenOf(record).length === 0) record.usage = null;
    record.runtime = {
      ...record.runtime,
      pid: null,
      startedAt: null,
      lastExitCode: facts.code,
      ...(facts.expected ? {} : { lastExitReason: facts.cause }),
    };
    this.runtimes.set(record.id, record.runtime);
    inBackground(
      child.exited.then((exit) => {
        this.events.exited(exit);
        // The full reason (with the stderr tail) is known only now; show it unless a new child runs already.
        if (exit.expected || record.generation !== child.generation) return;
        if (record.runtime.status === 'restarting') this.setStatus(record, { statusReason: exit.reason });
        if (record.runtime.status === 'crashed') this.setStatus(record, { statusReason: `${record.parkedWhy}: ${exit.reason}` });
      }),
      'ProcessSupervisor',
      `Recording the exit of ${record.entity.name}`,
    );
    // An exit that was asked for: the dead child stops counting as running now, even while its group is
    // still being reaped; a restart in progress keeps its `restarting`.
    if (facts.expected) {
      if (record.runtime.status === 'running') this.setStatus(record, { status: 'stopped', statusReason: null });
      return;
    }
    if (this.shuttingDown || record.desired !== 'running') {
      this.setStatus(record, { status: 'stopped', statusReason: facts.cause });
      return;
    }
    const now = this.clock.now();
    const decision = decideAfterExit({ ...record.entity.process, ...this.options.backoff }, record.restartState, {
      expected: false,
      uptimeMs: now - child.startedAt,
      at: now,
    });
    record.restartState = decision.state;
    if (decision.action === 'restart') {
      record.log.append('system', `exited unexpectedly (${facts.cause}); restarting in ${decision.delayMs} ms`, 'error');
      this.setStatus(record, { status: 'restarting', statusReason: facts.cause });
      this.scheduleRestart(record, decision.delayMs);
    } else if (decision.action === 'park') {
      record.parkedWhy = decision.why;
      record.log.append('system', `exited unexpectedly (${facts.cause}); ${decision.why}`, 'error');
      this.setStatus(record, { status: 'crashed', statusReason: `${decision.why}: ${facts.cause}` });
    }
  }

  private scheduleRestart(record: ServiceRecord, delayMs: number): void {
    this.clearRestartTimer(record);
    record.restartTimer = setTimeout(() => {
      record.restartTimer = null;
      void this.enqueue(record, async () => {
        if (record.desired !== 'running' || record.child || this.shuttingDown) return;
        record.runtime = { ...record.runtime, restarts: record.runtime.restarts + 1 };
        record.entity = await this.services.entityOf(record.id).catch(() => record.entity);
        await this.launchShared(record);
      });
    }, delayMs);
    record.restartTimer.unref();
  }

  private clearRestartTimer(record: ServiceRecord): void {
    if (record.restartTimer) clearTimeout(record.restartTimer);
    record.restartTimer = null;
  }

  /** Stops the shared child and every session child, and settles as `stopped`. */
  private async halt(record: ServiceRecord, reason: string): Promise<void> {
    this.clearRestartTimer(record);
    const active = record.runtime.status !== 'stopped' || childrenOf(record).length > 0;
    // A deployment's candidate too: it must not outlive a stopped (or deleted) service.
    await Promise.all([this.stopChildren(record, reason), this.candidates.stopAll(record.id, reason)]);
    if (active) record.log.append('system', reason);
    if (record.runtime.status !== 'stopped' || record.runtime.statusReason) {
      this.setStatus(record, { status: 'stopped', pid: null, startedAt: null, statusReason: null });
    }
    // Only once nothing of it runs here: another instance may start it the moment the lease is free.
    await this.placement.release(record.id);
  }

  private async stopChildren(record: ServiceRecord, reason: string): Promise<void> {
    record.health?.stop();
    record.health = null;
    await Promise.all(childrenOf(record).map((child) => child.stop({ reason })));
  }

  private isUp(record: ServiceRecord): boolean {
    return record.child !== null || (childPerSession(record.entity.process.isolation) && record.runtime.status === 'running');
  }

  // ─── Health and metrics ────────────────────────────────────────────────────────────────────

  private watchHealth(record: ServiceRecord, child: RunningChild): void {
    const options = this.options;
    const settings = {
      intervalSec: record.entity.process.healthCheckIntervalSec,
      // A getter: the time-out may change at runtime (Settings) while this child runs.
      get timeoutMs() {
        return options.healthTimeoutMs;
      },
      failuresBeforeAction: options.healthFailuresBeforeRestart,
    };
    record.health = healthCheckFor(child, settings, (reason) => {
      if (record.child !== child) return;
      record.log.append('system', reason, 'error');
      void child.stop({ expected: false, reason });
    });
    record.health?.start();
  }

  private metricsView(entity: ServiceEntity, record: ServiceRecord | undefined): ServiceMetricsView {
    const view = toMetricsView(entity, record, record?.runtime ?? this.runtimes.get(entity.id), this.clock.now());
    const proxy = this.proxyMetrics?.(entity.id);
    return proxy ? { ...view, proxy } : view;
  }

  // ─── Bookkeeping ───────────────────────────────────────────────────────────────────────────

  private recordByKey(serviceIdOrName: string): ServiceRecord | undefined {
    return this.records.get(serviceIdOrName) ?? this.records.get(this.idsByName.get(serviceIdOrName) ?? '');
  }

  private recordOf(entity: ServiceEntity): ServiceRecord {
    const existing = this.records.get(entity.id);
    if (existing) {
      existing.entity = entity;
      return existing;
    }
    const record: ServiceRecord = {
      id: entity.id,
      name: entity.name,
      entity,
      desired: entity.desiredState,
      runtime: this.runtimes.local(entity.id),
      child: null,
      sessions: new Set(),
      pendingSessions: 0,
      restartState: FRESH_RESTART_STATE,
      restartTimer: null,
      parkedWhy: '',
      health: null,
      generation: 0,
      usage: null,
      log: this.logs.open(entity.id, entity.name),
      queue: Promise.resolve(),
    };
    this.records.set(entity.id, record);
    this.idsByName.set(entity.name, entity.id);
    return record;
  }

  /** One operation at a time per service; a failed one does not block the next. */
  private enqueue<T>(record: ServiceRecord, task: () => Promise<T>): Promise<T> {
    const run = record.queue.then(task, task);
    record.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private setStatus(record: ServiceRecord, patch: Partial<ServiceRuntime>): void {
    record.runtime = { ...record.runtime, ...patch };
    this.runtimes.set(record.id, record.runtime);
    this.events.status(this.services.viewOf(record.entity));
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T | void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
