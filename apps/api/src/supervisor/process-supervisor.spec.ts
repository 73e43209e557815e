import type { ProxyMetricsView } from '@mcp-proxy/shared/dto';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { ProcessConfigView, ServiceView } from '@mcp-proxy/shared/dto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeChildProcess, FakeSignaller } from '../../test/support/fake-child-process';
import type { AppConfig } from '../core/config/app-config';
import type { AppLogger } from '../core/logging/app-logger';
import { ChildExit, ChildHandle, SERVICE_EVENTS } from './child-handle';
import { RUN_EVERYTHING_HERE } from './child-placement';
import { Clock } from '../core/time/clock';
import { ServiceLogs } from './logging/service-logs';
import { ProcessSupervisor } from './process-supervisor';
import type { ProcessSampler } from './resources/process-sampler';
import { ResourceWatch } from './resources/resource-watch';
import type { DesiredState, ServiceEntity } from '../services/service.entity';
import { ServiceEvents } from '../services/service-events';
import { ServiceRuntimes } from '../services/service-runtimes';
import { toServiceView } from '../services/service-view.mapper';
import type { ServicesService } from '../services/services.service';
import { SessionChildren } from './session-children';
import { ChildLauncher, LaunchOptions, ServiceLaunchError } from './spawn/child-launcher';
import { SupervisedChild } from './spawn/supervised-child';
import { NotSessionIsolatedError, ServiceNotRunningError, SessionLimitError } from './supervisor-errors';
import type { SupervisorOptions } from './supervisor-options';

const OPTIONS: SupervisorOptions = {
  stopGraceMs: 100,
  healthTimeoutMs: 50,
  healthFailuresBeforeRestart: 3,
  sampleIntervalMs: 60_000,
  backoff: { baseDelayMs: 10, maxDelayMs: 40, stableAfterMs: 60_000 },
};

function entity(name: string, process: Partial<ProcessConfigView> = {}): ServiceEntity {
  return {
    id: `id-${name}`,
    name,
    transport: 'stdio',
    process: {
      command: 'server',
      args: [],
      cwd: null,
      autoRestart: true,
      maxRestarts: 2,
      port: null,
      isolation: 'shared',
      restartWindowSec: 300,
      healthCheckIntervalSec: 0,
      memoryLimitMb: null,
      maxSessions: 2,
      sessionIdleTimeoutSec: 900,
      ...process,
    },
    proxy: { path: `/mcp/${name}`, rateLimit: 0, cache: false, requestTimeoutSec: 60, responseMode: 'auto' },
    repository: null,
    environmentSealed: '',
    desiredState: 'stopped',
    createdAt: new Date(0),
    updatedAt: new Date(0),
  } as ServiceEntity;
}

/** The registry, in memory: what the supervisor reads and the desired states it writes. */
class FakeRegistry {
  readonly entities = new Map<string, ServiceEntity>();
  constructor(private readonly runtimes: ServiceRuntimes) {}
  add(service: ServiceEntity): void {
    this.entities.set(service.id, service);
  }
  async entityOf(key: string): Promise<ServiceEntity> {
    const found = [...this.entities.values()].find((service) => service.id === key || service.name === key);
    if (!found) throw new Error(`Service "${key}" not found`);
    return { ...found } as ServiceEntity;
  }
  async setDesiredState(id: string, state: DesiredState): Promise<void> {
    (this.entities.get(id) as ServiceEntity).desiredState = state;
  }
  async listDesiredRunning(): Promise<ServiceEntity[]> {
    return [...this.entities.values()].filter((service) => service.desiredState === 'running');
  }
  async unreadableSecrets(): Promise<string | null> {
    return null;
  }
  viewOf(service: ServiceEntity): ServiceView {
    return toServiceView(service, [], this.runtimes.get(service.id));
  }
}

/** Launches fake processes through the real SupervisedChild; the test decides how each one ends. */
class FakeLauncher {
  readonly processes = new Map<number, FakeChildProcess>();
  readonly signaller = new FakeSignaller(this.processes);
  failNext: string | null = null;
  private nextPid = 1000;

  /** A shared child: these services are all local processes. */
  start(service: ServiceEntity, options: LaunchOptions): Promise<SupervisedChild> {
    return this.launch(service, options);
  }

  async launch(service: ServiceEntity, options: LaunchOptions): Promise<SupervisedChild> {
    if (this.failNext) throw new ServiceLaunchError(this.failNext);
    const fake = new FakeChildProcess(this.nextPid++).spawnSoon();
    this.processes.set(fake.pid, fake);
    let counter = 0;
    return SupervisedChild.launch(
      () => fake,
      { command: 'server', args: [], cwd: '/', env: {} },
      {
        serviceId: service.id,
        serviceName: service.name,
        generation: options.generation,
        transport: service.transport,
        port: null,
        nextId: options.session ? () => `mcp-proxy:${++counter}` : undefined,
        log: options.log,
        signaller: this.signaller,
        graceMs: OPTIONS.stopGraceMs,
        now: Date.now,
        onExit: options.onExit,
      },
    );
  }

  fake(handle: ChildHandle | null): FakeChildProcess {
    return this.processes.get(handle?.pid ?? -1) as FakeChildProcess;
  }
}

describe('ProcessSupervisor (fake processes)', () => {
  let dir: string;
  let registry: FakeRegistry;
  let launcher: FakeLauncher;
  let emitter: EventEmitter2;
  let supervisor: ProcessSupervisor;
  let statuses: ServiceView[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'supervisor-'));
    const runtimes = new ServiceRuntimes();
    registry = new FakeRegistry(runtimes);
    launcher = new FakeLauncher();
    emitter = new EventEmitter2();
    statuses = [];
    emitter.on(SERVICE_EVENTS.status, (view: ServiceView) => statuses.push(view));
    const logger = { event: jest.fn() } as unknown as AppLogger;
    const clock = new Clock();
    const events = new ServiceEvents(emitter, logger);
    const logs = new ServiceLogs({ get: () => dir } as unknown as AppConfig, events, logger, clock, []);
    const watch = new ResourceWatch({ sample: async () => new Map() } as unknown as ProcessSampler, clock, OPTIONS);
    const sessions = new SessionChildren(launcher as unknown as ChildLauncher, events, watch);
    supervisor = new ProcessSupervisor(
      registry as unknown as ServicesService,
      runtimes,
      launcher as unknown as ChildLauncher,
      sessions,
      logs,
      watch,
      events,
      logger,
      clock,
      OPTIONS,
      RUN_EVERYTHING_HERE,
    );
  });

  afterEach(async () => {
    await supervisor.beforeApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  function nextStatus(status: ServiceView['status']): Promise<ServiceView> {
    return new Promise((resolve) => {
      const listener = (view: ServiceView): void => {
        if (view.status !== status) return;
        emitter.off(SERVICE_EVENTS.status, listener);
        resolve(view);
      };
      emitter.on(SERVICE_EVENTS.status, listener);
    });
  }

  it('starts a service, remembers it should run, and hands out its handle by id and by name', async () => {
    registry.add(entity('alpha'));
    const started: ChildHandle[] = [];
    emitter.on(SERVICE_EVENTS.started, (handle: ChildHandle) => started.push(handle));

    const view = await supervisor.start('alpha');
    expect(view).toMatchObject({ status: 'running', pid: 1000, restarts: 0 });
    expect(statuses.map((status) => status.status)).toEqual(['starting', 'running']);
    expect(registry.entities.get('id-alpha')?.desiredState).toBe('running');
    expect(supervisor.handleOf('alpha')).toBe(started[0]);
    expect(supervisor.handleOf('id-alpha')).toBe(started[0]);
    expect(supervisor.statusOf('alpha')).toBe('running');
    expect(supervisor.runningCount()).toBe(1);
    expect(await supervisor.start('alpha')).toMatchObject({ pid: 1000 });
  });

  it('restarts a crashed child after the back-off, counts it, and never shows the dead one as running', async () => {
    registry.add(entity('alpha'));
    await supervisor.start('alpha');
    const first = supervisor.handleOf('alpha');
    const exited = new Promise<ChildExit>((resolve) => emitter.once(SERVICE_EVENTS.exited, resolve));
    const running = nextStatus('running');

    launcher.fake(first).exit(1);
    expect(supervisor.handleOf('alpha')).toBeNull();
    expect(supervisor.statusOf('alpha')).toBe('restarting');
    expect(supervisor.runningCount()).toBe(0);

    expect(await exited).toMatchObject({ code: 1, expected: false, generation: first?.generation });
    expect(await running).toMatchObject({ restarts: 1, lastExitCode: 1, pid: 1001 });
    expect(supervisor.handleOf('alpha')?.generation).toBeGreaterThan(first?.generation ?? 0);
  });

  it('parks a service that keeps dying as crashed, with the stderr tail in the reason', async () => {
    registry.add(entity('alpha', { maxRestarts: 1 }));
    await supervisor.start('alpha');
    const crashed = nextStatus('crashed');
    const die = (handle: ChildHandle | null): void => {
      const fake = launcher.fake(handle);
      fake.stderr.write('boom: missing TOKEN\n');
      setImmediate(() => fake.exit(3));
    };
    die(supervisor.handleOf('alpha'));
    await nextStatus('running');
    die(supervisor.handleOf('alpha'));
    expect(await crashed).toMatchObject({ restarts: 1, statusReason: 'gave up after 1 restart within 300 s: exited with code 3' });
    const withTail = await new Promise<ServiceView>((resolve) => emitter.once(SERVICE_EVENTS.status, resolve));
    expect(withTail).toMatchObject({
      status: 'crashed',
      statusReason: 'gave up after 1 restart within 300 s: exited with code 3: boom: missing TOKEN',
    });
  });

  it('restarts a child that stops answering pings, counting it as a failure with the reason', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    try {
      registry.add(entity('alpha', { healthCheckIntervalSec: 1 }));
      await supervisor.start('alpha');
      const first = supervisor.handleOf('alpha') as ChildHandle;
      const restarting = nextStatus('restarting');
      const running = nextStatus('running');
      // Three probes (1 s apart, 50 ms time-out each) go unanswered: the fake never replies. Then the back-off.
      await jest.advanceTimersByTimeAsync(3 * 1050 + 200);
      const reason = 'unresponsive: no reply to ping in 0.05 s, 3 times in a row';
      expect(await restarting).toMatchObject({ statusReason: reason });
      expect(await first.exited).toMatchObject({ expected: false, reason });
      expect(launcher.fake(first).received.filter((line) => line.includes('"ping"'))).toHaveLength(3);
      expect(await running).toMatchObject({ restarts: 1, statusReason: null });
    } finally {
      jest.useRealTimers();
    }
  });

  it('does not restart a service the user stopped, and marks that exit expected', async () => {
    registry.add(entity('alpha'));
    await supervisor.start('alpha');
    const handle = supervisor.handleOf('alpha') as ChildHandle;
    const view = await supervisor.stop('alpha');
    expect(view).toMatchObject({ status: 'stopped', pid: null });
    expect(await handle.exited).toMatchObject({ expected: true, reason: 'stopped' });
    expect(registry.entities.get('id-alpha')?.desiredState).toBe('stopped');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(supervisor.statusOf('alpha')).toBe('stopped');
    expect(launcher.processes.size).toBe(1);
  });

  it('restarts on request with a fresh counter', async () => {
    registry.add(entity('alpha'));
    await supervisor.start('alpha');
    launcher.fake(supervisor.handleOf('alpha')).exit(1);
    await nextStatus('running');
    expect(supervisor.statusOf('alpha')).toBe('running');
    const view = await supervisor.restart('alpha');
    expect(view).toMatchObject({ status: 'running', restarts: 0, pid: 1002 });
  });

  it('marks a service that cannot be launched as failed, with the reason', async () => {
    registry.add(entity('alpha'));
    launcher.failNext = 'command "nope" was not found';
    expect(await supervisor.start('alpha')).toMatchObject({ status: 'failed', statusReason: 'command "nope" was not found', pid: null });
  });

  it('runs session children only when started, up to maxSessions, and stops them with the service', async () => {
    registry.add(entity('solo', { isolation: 'session', maxSessions: 2 }));
    registry.add(entity('shared'));
    await expect(supervisor.spawnSessionChild('solo')).rejects.toBeInstanceOf(ServiceNotRunningError);
    await expect(supervisor.spawnSessionChild('shared')).rejects.toBeInstanceOf(NotSessionIsolatedError);

    expect(await supervisor.start('solo')).toMatchObject({ status: 'running', pid: null });
    expect(supervisor.handleOf('solo')).toBeNull();
    const [one, two] = await Promise.all([supervisor.spawnSessionChild('solo'), supervisor.spawnSessionChild('solo')]);
    await expect(supervisor.spawnSessionChild('solo')).rejects.toBeInstanceOf(SessionLimitError);
    expect(one.peer?.request('ping').id).toBe('mcp-proxy:1');
    expect((await supervisor.metricsOf('solo')).process.sessions).toEqual({ active: 2, max: 2 });

    await supervisor.stopSessionChild(one);
    expect((await one.exited).expected).toBe(true);
    const three = await supervisor.spawnSessionChild('solo');

    // A session child that dies is not restarted: its session is over.
    launcher.fake(three).exit(1);
    expect(await three.exited).toMatchObject({ expected: false });
    expect(launcher.processes.size).toBe(3);

    await supervisor.stop('solo');
    expect(await two.exited).toMatchObject({ expected: true });
    await supervisor.stopSessionChild(two);
  });

  it('brings back what should run on bootstrap, and stops children on shutdown without forgetting that', async () => {
    registry.add({ ...entity('alpha'), desiredState: 'running' } as ServiceEntity);
    registry.add(entity('beta'));
    await supervisor.onApplicationBootstrap();
    expect(supervisor.statusOf('alpha')).toBe('running');
    expect(supervisor.statusOf('beta')).toBe('stopped');
    const handle = supervisor.handleOf('alpha') as ChildHandle;

    await supervisor.beforeApplicationShutdown();
    expect(await handle.exited).toMatchObject({ expected: true, reason: 'proxy shutting down' });
    expect(registry.entities.get('id-alpha')?.desiredState).toBe('running');
  });

  it('merges the data plane figures into the metrics', async () => {
    registry.add(entity('alpha'));
    const figures: ProxyMetricsView = {
      requests: 12,
      errors: 1,
      errorRate: 1 / 12,
      requestsPerMinute: 12,
      byMethod: { 'tools/call': 12 },
      latencyMs: { p50: 0.5, p90: 1, p99: 2 },
      inflight: 0,
      sessions: 1,
      cache: { hits: 0, misses: 0, hitRate: null },
    };
    supervisor.contributeProxyMetrics((serviceId) => (serviceId === 'id-alpha' ? figures : undefined));
    expect(await supervisor.metricsOf('alpha')).toEqual({
      serviceId: 'id-alpha',
      serviceName: 'alpha',
      process: {
        status: 'stopped',
        pid: null,
        uptimeSec: null,
        restarts: 0,
        rssBytes: null,
        cpuPercent: null,
        processCount: 0,
        sessions: null,
        sampledAt: null,
      },
      proxy: figures,
    });
  });
});
