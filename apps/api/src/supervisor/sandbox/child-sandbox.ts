import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { ChildIsolationView, SandboxFilesystemMode, SandboxUserMode } from '@mcp-proxy/shared/dto';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { AppConfig } from '../../core/config/app-config';
import { hostEnvironment } from '../../core/config/host-environment';
import { credentialFiles } from '../../core/config/scrub-environment';
import { AppLogger } from '../../core/logging/app-logger';
import type { ServiceEntity } from '../../services/service.entity';
import type { SpawnSpec } from '../spawn/child-spawner';
import { ChildCgroup, removeParent, removeStaleParents } from './child-cgroup';
import { containerLaunch } from './container-launch';
import type { SandboxedLaunch } from './sandboxed-launch';
import { defaultLimitsFrom, EffectiveLimits, effectiveLimits } from './effective-limits';
import { childIsolation, PROXY_HOME_CREDENTIALS, worldReadable } from './child-isolation';
import { CGROUP_PARENT_PREFIX, HostCapabilities, hostLimits, probeHost } from './host-capabilities';
import { SandboxLayers, wrapCommand } from './sandbox-command';
import { SandboxUsers, ServiceUser } from './sandbox-users';
import { ServiceDirectories } from './service-directories';
import { reasonFor, startupWarnings } from './startup-warnings';

const MIB = 1024 * 1024;
const BREACH_POLL_MS = 500;

export interface SandboxRequest {
  entity: ServiceEntity;
  /** The unwrapped command, its working directory and environment. */
  spec: SpawnSpec;
  /** The working directory is the proxy's default one: with an own user, the service's home is used instead. */
  defaultCwd: boolean;
  /** The command is a container engine's CLI running the server in a container (`docker`, `podman`): the engine confines it. */
  containerEngine?: string | null;
}

/**
 * Runs every child in the layers this host offers: its own unprivileged user (when the proxy is
 * root), cgroup caps on memory, processes and CPU, per-process rlimits, and optionally a bubblewrap
 * filesystem view without the proxy's files. What a service asked for that cannot be applied is
 * said in its status (and service log), never silently dropped.
 */
@Injectable()
export class ChildSandbox implements OnModuleInit, OnApplicationShutdown {
  private host: HostCapabilities | null = null;
  private readonly users: SandboxUsers;
  private readonly directories: ServiceDirectories;
  private readonly defaults: EffectiveLimits;

  constructor(
    private readonly config: AppConfig,
    private readonly logger: AppLogger,
  ) {
    this.users = new SandboxUsers(join(config.dataDir, 'sandbox-users.json'), config.get('SANDBOX_UID_BASE'));
    this.directories = new ServiceDirectories(resolve(config.get('CLONE_DIRECTORY')));
    this.defaults = defaultLimitsFrom(config);
  }

  /**
   * Once at start-up: a warning for what the configuration asks for and this host cannot give, then one
   * line saying what isolation the children get (a warning when they can read the proxy's secrets).
   */
  onModuleInit(): void {
    const host = this.capabilities();
    if (this.config.get('SANDBOX_USER') === 'auto' && host.root && host.tools.setpriv !== null)
      this.directories.letThroughFrom(this.config.dataDir);
    const filesystemSetting = this.config.get('SANDBOX_FILESYSTEM');
    const ownUsers = this.ownUsersMissing(host) === null;
    for (const warning of startupWarnings({ host, filesystemSetting, ownUsers, limits: this.defaults }))
      this.logger.event('warn', { sandbox: 'host' }, warning);
    const isolation = this.isolation();
    this.logger.event(isolation.proxySecretsProtected ? 'info' : 'warn', { isolation: isolation.isolation }, isolation.summary);
  }

  /** What a child started with the defaults can reach of the proxy's secrets on this host (for /health, the log and the portal). */
  isolation(): ChildIsolationView {
    const host = this.capabilities();
    const ownUsersMissing = this.ownUsersMissing(host);
    const ownUsers = ownUsersMissing === null;
    const filesystem = this.config.get('SANDBOX_FILESYSTEM');
    const bubblewrap = host.bubblewrap && (filesystem === 'bubblewrap' || (filesystem === 'auto' && !ownUsers));
    const account = childIsolation({
      ownUsers,
      ownUsersMissing: ownUsersMissing ?? '',
      bubblewrap,
      bubblewrapMissing: reasonFor(host, 'filesystem sandbox'),
      filesystemSetting: filesystem,
      root: host.root,
      // Hidden under bubblewrap; with own users only their mode protects them (the .env too, which usually holds secrets).
      exposedFiles: bubblewrap ? [] : [...credentialFiles(), '.env'].map((file) => resolve(file)).filter(worldReadable),
    });
    return { ...account, limits: hostLimits(host) };
  }

  /** Why children do not get users of their own by default; null when they do. */
  private ownUsersMissing(host: HostCapabilities): string | null {
    if (this.config.get('SANDBOX_USER') === 'none') return 'SANDBOX_USER=none';
    if (!host.root) return 'the proxy is not root';
    if (!host.tools.setpriv) return 'setpriv (util-linux) not found';
    const blocked = this.directories.unreachableAncestor();
    return blocked ? `${blocked} does not let other users through (needs o+x)` : null;
  }

  onApplicationShutdown(): void {
    // Under cgroup v2 every controller shares one directory.
    for (const dir of new Set(Object.values(this.host?.cgroups ?? {}))) if (dir) removeParent(dir);
  }

  /** Probed once. What is missing is logged at start-up only where the configuration asks for it (onModuleInit). */
  capabilities(): HostCapabilities {
    if (!this.host) {
      const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
      const parentName = `${CGROUP_PARENT_PREFIX}${process.pid}-${randomBytes(3).toString('hex')}`;
      this.host = probeHost(hostEnvironment(['PATH'])['PATH'] ?? '/usr/bin:/bin', parentName, isRoot);
      removeStaleParents(this.host.cgroups, CGROUP_PARENT_PREFIX, isAlive);
    }
    return this.host;
  }

  /** The service's own home (caches, managed virtualenvs), whether or not its children run as a user of their own. */
  homeOf(serviceName: string): string {
    return this.directories.homeOf(serviceName);
  }

  /** The limits in force for the service: its own values over the defaults. */
  limitsOf(entity: ServiceEntity): EffectiveLimits {
    return effectiveLimits(entity.process.limits, this.defaults);
  }

  prepare({ entity, spec, defaultCwd, containerEngine }: SandboxRequest): SandboxedLaunch {
    const host = this.capabilities();
    const limits = effectiveLimits(entity.process.limits, this.defaults);
    if (containerEngine) return containerLaunch(spec, limits, containerEngine);
    const applied: string[] = [];
    const notApplied: string[] = [];

    const user = this.userFor(entity, host, notApplied);
    // Decided now (it picks the home), reported after the other layers, in the order they wrap the server.
    const filesystemNotes: string[] = [];
    const filesystem = this.filesystemFor(entity, host, user !== null, filesystemNotes);
    let cwd = spec.cwd;
    const env = { ...spec.env };
    if (user) {
      const home = this.directories.prepare(entity.name, defaultCwd ? null : spec.cwd, user);
      if (defaultCwd) cwd = home;
      Object.assign(env, { HOME: home, USER: user.name, LOGNAME: user.name });
      delete env['TMPDIR'];
      applied.push(`user ${user.name} (uid ${user.uid}), home ${home}`);
    } else if (filesystem === 'bubblewrap') {
      // As the proxy's user, the server still gets a home of its own: the proxy's home and working directory stay read-only to it.
      const home = this.directories.prepare(entity.name, null, null);
      if (defaultCwd) cwd = home;
      env['HOME'] = home;
      delete env['TMPDIR'];
    }

    const cgroup = this.cgroupFor(entity, limits, host, notApplied);
    if (cgroup?.controllers.includes('memory')) applied.push(`cgroup memory ${limits.memoryMb} MB`);
    if (cgroup?.controllers.includes('pids')) applied.push(`cgroup pids ${limits.maxProcesses}`);
    if (cgroup?.controllers.includes('cpu')) applied.push(`cgroup cpu ${limits.cpuPercent}%`);

    const layers: SandboxLayers = {
      cgroupProcs: cgroup?.procsFiles ?? [],
      rlimits: {},
      filesystem: null,
      user: user ? { uid: user.uid, gid: user.gid } : null,
    };
    this.rlimitsFor(limits, host, user !== null, cgroup, layers, applied, notApplied);

    notApplied.push(...filesystemNotes);
    if (!user && filesystem !== 'bubblewrap') {
      notApplied.push(
        "isolation: the server runs with the proxy's own rights and can read its secrets (no user of its own, no bubblewrap)",
      );
    }
    if (filesystem === 'bubblewrap') {
      const writable = [...new Set([cwd, env['HOME'] ?? cwd].filter((dir) => existsSync(dir)))];
      const hideDirectories = this.hiddenDirectories(user === null);
      // A file inside a hidden directory is gone already; binding over it would only leave an empty placeholder.
      const hideFiles = this.hiddenFiles(user === null).filter((file) => !hideDirectories.some((dir) => isInside(file, dir)));
      layers.filesystem = { readable: commandRootsInTmp(spec), hideDirectories, hideFiles, writable };
      applied.push(
        `bubblewrap: data dir, logs${user ? '' : ", secret files, the proxy's home credentials"} and other services hidden, own pid namespace`,
      );
    }

    let wrapped: SpawnSpec;
    try {
      wrapped = wrapCommand({ ...spec, cwd, env }, layers, host.tools);
    } catch (error) {
      cgroup?.remove();
      throw error;
    }
    const start = cgroup?.counters() ?? { oomKills: 0, forksRefused: 0 };
    let timer: ReturnType<typeof setInterval> | null = null;

    const limitHit = (): string | null => {
      if (!cgroup) return null;
      const now = cgroup.counters();
      if (now.oomKills > start.oomKills) return `killed by memory limit ${limits.memoryMb} MB`;
      if (now.forksRefused > start.forksRefused) return `process limit ${limits.maxProcesses} reached`;
      return null;
    };

    return {
      spec: wrapped,
      status: {
        user: user?.name ?? null,
        uid: user?.uid ?? null,
        filesystem: layers.filesystem ? 'bubblewrap' : 'none',
        limits,
        applied,
        notApplied,
      },
      explainExit: (code, signal) => {
        const hit = limitHit();
        if (hit) return hit;
        // bwrap reports a signal death of the server as 128 + the signal number.
        const died = signal ?? (layers.filesystem && code !== null && code > 128 ? signalName(code - 128) : null);
        if (died === 'SIGXCPU') return `killed by CPU time limit ${limits.cpuSeconds} s`;
        if (died && layers.filesystem && !signal) return `killed by ${died}`;
        return null;
      },
      watch: (onBreach) => {
        if (!cgroup || timer) return;
        timer = setInterval(() => {
          const hit = limitHit();
          if (!hit) return;
          if (timer) clearInterval(timer);
          onBreach(hit);
        }, BREACH_POLL_MS);
        timer.unref();
      },
      release: () => {
        if (timer) clearInterval(timer);
        timer = null;
        if (cgroup && !cgroup.remove()) {
          // Processes still exiting: try once more a little later.
          setTimeout(() => cgroup.remove(), 2000).unref();
        }
      },
    };
  }

  /** A deleted service's home, clone and builds go with it, so a new service of the same name starts from nothing. */
  removeFilesOf(serviceName: string): void {
    this.directories.remove(serviceName);
  }

  /** Whether a service with this `sandbox.user` setting (null: the default) runs as a user of its own here, not as the proxy's. */
  runsAsOwnUser(setting: SandboxUserMode | null | undefined): boolean {
    return this.ownUserRefusal(setting ?? this.config.get('SANDBOX_USER'), this.capabilities()) === null;
  }

  /** Why a child does not get a user of its own; null when it does. */
  private ownUserRefusal(mode: SandboxUserMode, host: HostCapabilities): string | null {
    if (mode === 'none') return 'none';
    if (!host.root) return 'own user: the proxy is not root';
    if (!host.tools.setpriv) return 'own user: setpriv not found';
    const blocked = this.directories.unreachableAncestor();
    return blocked ? `own user: ${blocked} does not let other users through (needs o+x)` : null;
  }

  private userFor(entity: ServiceEntity, host: HostCapabilities, notApplied: string[]): ServiceUser | null {
    const refusal = this.ownUserRefusal(entity.process.sandbox?.user ?? this.config.get('SANDBOX_USER'), host);
    if (refusal === 'none') return null;
    if (refusal !== null) {
      notApplied.push(refusal);
      return null;
    }
    return this.users.userOf(entity.id);
  }

  private cgroupFor(entity: ServiceEntity, limits: EffectiveLimits, host: HostCapabilities, notApplied: string[]): ChildCgroup | null {
    const wanted = [
      ['memory', limits.memoryMb > 0, `memory ${limits.memoryMb} MB`],
      ['pids', limits.maxProcesses > 0, `processes ${limits.maxProcesses}`],
      ['cpu', limits.cpuPercent > 0, `CPU ${limits.cpuPercent}%`],
    ] as const;
    for (const [controller, on, label] of wanted) {
      // A process limit without the pids cgroup falls back to RLIMIT_NPROC, reported with the rlimits.
      if (on && !host.cgroups[controller] && controller !== 'pids') notApplied.push(`${label}: ${reasonFor(host, `cgroup ${controller}`)}`);
    }
    if (!wanted.some(([controller, on]) => on && host.cgroups[controller])) return null;
    try {
      return ChildCgroup.create(
        host.cgroups,
        `${entity.name}-${randomBytes(4).toString('hex')}`,
        { memoryBytes: limits.memoryMb * MIB, maxTasks: limits.maxProcesses, cpuPercent: limits.cpuPercent },
        host.cgroupVersion ?? 1,
      );
    } catch (error) {
      notApplied.push(`cgroup limits: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  }

  private rlimitsFor(
    limits: EffectiveLimits,
    host: HostCapabilities,
    ownUser: boolean,
    cgroup: ChildCgroup | null,
    layers: SandboxLayers,
    applied: string[],
    notApplied: string[],
  ): void {
    const wanted: [keyof SandboxLayers['rlimits'], number, string][] = [
      ['nofile', limits.maxOpenFiles, `RLIMIT_NOFILE ${limits.maxOpenFiles}`],
      ['cpuSeconds', limits.cpuSeconds, `RLIMIT_CPU ${limits.cpuSeconds} s`],
      ['addressSpaceBytes', limits.addressSpaceMb * MIB, `RLIMIT_AS ${limits.addressSpaceMb} MB`],
    ];
    // The pids cgroup counts the tree and tells when it refused a fork; RLIMIT_NPROC, the fallback, counts
    // every process of the user (so only a user of the service's own) and refuses silently.
    const pidsCgroup = cgroup?.controllers.includes('pids') ?? false;
    if (!pidsCgroup && ownUser) wanted.push(['nproc', limits.maxProcesses, `RLIMIT_NPROC ${limits.maxProcesses}`]);
    else if (!pidsCgroup && limits.maxProcesses > 0) {
      notApplied.push(
        `processes ${limits.maxProcesses}: no pids cgroup (${reasonFor(host, 'cgroup pids')}) and RLIMIT_NPROC needs a user of the service's own`,
      );
    }
    for (const [key, value, label] of wanted) {
      if (value <= 0) continue;
      if (!host.tools.prlimit) {
        notApplied.push(`${label}: prlimit not found`);
        continue;
      }
      layers.rlimits[key] = value;
      applied.push(label);
    }
  }

  /** `auto` (the default): bubblewrap exactly when the child would otherwise share the proxy's uid. */
  private filesystemFor(entity: ServiceEntity, host: HostCapabilities, ownUser: boolean, notApplied: string[]): SandboxFilesystemMode {
    const mode = entity.process.sandbox?.filesystem ?? this.config.get('SANDBOX_FILESYSTEM');
    if (mode === 'none' || (mode === 'auto' && ownUser)) return 'none';
    if (!host.bubblewrap) {
      notApplied.push(`filesystem: ${reasonFor(host, 'filesystem sandbox')}`);
      return 'none';
    }
    return 'bubblewrap';
  }

  /**
   * What no child may see: the proxy's data (keys, database, certificates), its logs, every service's
   * directory; to a child of the proxy's own uid, also the credentials kept in the proxy's home.
   */
  private hiddenDirectories(sameUser: boolean): string[] {
    const dirs = [this.config.dataDir, resolve(this.config.get('LOG_DIR')), resolve(this.config.get('CLONE_DIRECTORY'))];
    if (sameUser) dirs.push(...this.proxyHomeCredentials());
    return [...new Set(dirs)].filter((dir) => existsSync(dir) && statSync(dir).isDirectory());
  }

  /** The proxy's own files that may live elsewhere: its .env, a SQLite file outside the data dir, the YAML configuration, the files its secrets came from. */
  private hiddenFiles(sameUser: boolean): string[] {
    const files = [
      resolve('.env'),
      this.config.get('CONFIG_FILE') ? resolve(this.config.get('CONFIG_FILE') as string) : null,
      ...credentialFiles().map((file) => resolve(file)),
    ];
    if (sameUser) files.push(...this.proxyHomeCredentials().filter((path) => existsSync(path) && !statSync(path).isDirectory()));
    if (!this.config.isPostgres) {
      const db = resolve(this.config.get('DATABASE_URL'));
      files.push(db, `${db}-wal`, `${db}-shm`, `${db}-journal`);
    }
    return [...new Set(files.filter((file): file is string => file !== null && existsSync(file)))];
  }

  /** ssh keys, cloud and registry logins in the proxy's home (not the home itself: the server's program may live there). */
  private proxyHomeCredentials(): string[] {
    const home = hostEnvironment(['HOME'])['HOME'];
    return home && home !== '/' ? PROXY_HOME_CREDENTIALS.map((entry) => join(home, entry)) : [];
  }
}

function signalName(number: number): NodeJS.Signals | null {
  const entry = Object.entries(constants.signals).find(([, value]) => value === number);
  return entry ? (entry[0] as NodeJS.Signals) : null;
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * bubblewrap gives the server a private /tmp; a program or script that lives under the host's /tmp
 * (a proxy installed there, say) would vanish with it. Its top directory under /tmp is kept, read-only.
 */
function commandRootsInTmp(spec: SpawnSpec): string[] {
  const roots = [spec.command, ...spec.args]
    .filter((part) => part.startsWith('/tmp/') && existsSync(part))
    .map((part) => `/tmp/${part.split('/')[2]}`);
  return [...new Set(roots)];
}
