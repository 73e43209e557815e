import { Inject, Injectable } from '@nestjs/common';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppConfig } from '../../core/config/app-config';
import { hostEnvironment } from '../../core/config/host-environment';
import { Clock } from '../../core/time/clock';
import type { ServiceLog } from '../logging/service-log';
import type { ServiceEntity } from '../../services/service.entity';
import { ServicesService } from '../../services/services.service';
import { SUPERVISOR_OPTIONS, SupervisorOptions } from '../supervisor-options';
import { buildChildEnvironment, INHERITED_ENV_KEYS, variablesHoldingProxySecrets } from './child-environment';
import { ChildSandbox } from '../sandbox/child-sandbox';
import { ChildSpawner, SpawnSpec } from './child-spawner';
import { PortAllocator } from './port-allocator';
import { PROXY_SECRETS } from './proxy-secrets';
import { OAuthPlaceholderLink } from '../remote/oauth-placeholder-link';
import { RemoteChild } from '../remote/remote-child';
import { connectPageUrl, NotConnectedError } from '../../upstream-auth/connection-key';
import { REMOTE_CONNECTOR, RemoteConnector, RemoteLinkEvents } from '../remote/remote-link';
import { RemoteSettings, RemoteSettingsError } from '../../services/remote-settings';
import type { RunningChild, RunningChildExit } from './running-child';
import { SpawnFailedError, SupervisedChild } from './supervised-child';
import { inBackground } from '../../core/logging/background';
import { RuntimeUnavailableError } from '../runtimes/runtime-errors';
import { PlannedCommand, ServiceCommands } from '../runtimes/service-commands';

/** A service that cannot be started as configured: the message says what to fix. */
export class ServiceLaunchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceLaunchError';
  }
}

export interface LaunchOptions {
  generation: number;
  log: ServiceLog;
  /** Session children use string ids with a prefix, so the proxy's own requests never collide with relayed client ids. */
  session: boolean;
  onExit?: RunningChildExit;
  /** Instead of the stored environment: a deployment's candidate runs with the one it will have. */
  environment?: Record<string, string>;
}

/** Session children's own request ids: `mcp-proxy:1`, `mcp-proxy:2`, … */
export const SESSION_REQUEST_ID_PREFIX = 'mcp-proxy:';

/** Turns a stored service into a running child: command, working directory, environment, port. */
@Injectable()
export class ChildLauncher {
  private readonly inherited = hostEnvironment(INHERITED_ENV_KEYS);

  constructor(
    private readonly spawner: ChildSpawner,
    private readonly sandbox: ChildSandbox,
    private readonly services: ServicesService,
    private readonly ports: PortAllocator,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    @Inject(PROXY_SECRETS) private readonly proxySecrets: string[],
    @Inject(SUPERVISOR_OPTIONS) private readonly options: SupervisorOptions,
    @Inject(REMOTE_CONNECTOR) private readonly connectRemoteLink: RemoteConnector,
    private readonly commands: ServiceCommands,
  ) {}

  /** A service's shared server: its process, or for a `remote` service a session with the remote server. */
  async start(entity: ServiceEntity, options: LaunchOptions): Promise<RunningChild> {
    return entity.transport === 'remote' ? this.connectRemote(entity, options) : this.launch(entity, options);
  }

  async launch(entity: ServiceEntity, { generation, log, session, onExit, environment }: LaunchOptions): Promise<SupervisedChild> {
    if (entity.transport === 'remote')
      throw new ServiceLaunchError(`"${entity.name}" is a remote MCP server: there is no process to start`);
    const { command, args } = this.commandOf(entity);
    const serviceEnv = environment ?? (await this.services.environmentOf(entity.id));
    const leaking = variablesHoldingProxySecrets(serviceEnv, this.proxySecrets);
    if (leaking.length > 0) {
      throw new ServiceLaunchError(
        `environment.${leaking.join(', environment.')} holds one of the proxy's own secrets; refusing to pass it to the server`,
      );
    }
    const port = entity.transport === 'http' ? (entity.process.port ?? (await this.ports.freePort())) : null;
    const cwd = this.workingDirectory(entity);
    const planned = await this.plan(entity, command, args, cwd);
    const spec: SpawnSpec = {
      command: planned.command,
      args: planned.args,
      cwd,
      env: buildChildEnvironment({ inherited: this.inherited, tooling: planned.env, service: serviceEnv, port }),
    };
    log.setSecrets([...Object.values(serviceEnv), ...this.proxySecrets]);
    if (planned.note) log.append('system', planned.note);
    const container = planned.container;
    const sandboxed = this.sandbox.prepare({
      entity,
      spec,
      defaultCwd: !entity.process.cwd && !entity.repository,
      containerEngine: container?.engine ?? null,
    });
    if (sandboxed.status.notApplied.length > 0)
      log.append('system', `sandbox: not applied: ${sandboxed.status.notApplied.join('; ')}`, 'warn');
    let counter = 0;
    let child: SupervisedChild;
    const options = this.options;
    try {
      child = await SupervisedChild.launch((s) => this.spawner.spawn(s), sandboxed.spec, {
        serviceId: entity.id,
        serviceName: entity.name,
        generation,
        transport: entity.transport,
        port,
        nextId: session ? () => `${SESSION_REQUEST_ID_PREFIX}${++counter}` : undefined,
        log,
        signaller: this.spawner,
        // Read when the child is stopped: PROCESS_STOP_GRACE_SEC may change at runtime (Settings).
        get graceMs() {
          return options.stopGraceMs;
        },
        now: () => this.clock.now(),
        onExit,
        explainExit: sandboxed.explainExit,
        sandbox: sandboxed.status,
        // A container lives outside the CLI's process group: its engine is asked to stop it too.
        onStop: container ? (now) => this.spawner.stopContainer(container, options.stopGraceMs / 1000, now) : undefined,
      });
    } catch (error) {
      sandboxed.release();
      if (error instanceof SpawnFailedError) throw new ServiceLaunchError(error.message);
      throw error;
    }
    // A limit hit that did not kill the server (a fork refused, a helper OOM-killed) restarts it, with the reason.
    sandboxed.watch((reason) => {
      log.append('system', reason, 'error');
      void child.stop({ expected: false, reason });
    });
    // Once nothing of the group is left (the grace period included), the cgroups go.
    inBackground(
      child.exited.then(() => child.stop()).then(() => sandboxed.release()),
      'ChildLauncher',
      `Releasing the sandbox of ${entity.name}`,
    );
    return child;
  }

  private async connectRemote(entity: ServiceEntity, { generation, log, session, onExit }: LaunchOptions): Promise<RemoteChild> {
    if (session) throw new ServiceLaunchError(`"${entity.name}" is a remote MCP server: session isolation needs a process per session`);
    const environment = await this.services.environmentOf(entity.id);
    let settings;
    try {
      settings = await this.services.remoteOf(entity.id, environment);
    } catch (error) {
      if (error instanceof RemoteSettingsError) throw new ServiceLaunchError(error.message);
      throw error;
    }
    if (!settings) throw new ServiceLaunchError(`"${entity.name}" has no remote settings: set remote.url`);
    const leaking = Object.entries(settings.headers).filter(([, value]) =>
      this.proxySecrets.some((secret) => secret && value.includes(secret)),
    );
    if (leaking.length > 0) {
      throw new ServiceLaunchError(
        `remote.headers.${leaking.map(([name]) => name).join(', remote.headers.')} holds one of the proxy's own secrets; refusing to send it`,
      );
    }
    log.setSecrets([...Object.values(environment), ...settings.secretValues, ...this.proxySecrets]);
    const ready = settings;
    const connect =
      ready.auth === 'oauth'
        ? (events: RemoteLinkEvents) => new OAuthPlaceholderLink(entity.name, this.notConnected(entity, ready), events)
        : (events: RemoteLinkEvents) => this.connectRemoteLink(ready, events);
    return new RemoteChild({
      serviceId: entity.id,
      serviceName: entity.name,
      generation,
      description: `${ready.protocol} ${ready.url.origin}${ready.url.pathname}`,
      log,
      now: () => this.clock.now(),
      onExit,
      connect,
    });
  }

  /** What a caller with no upstream OAuth connection is told (the placeholder link answers for them). */
  private notConnected(entity: ServiceEntity, settings: RemoteSettings): string {
    const url = connectPageUrl(this.config.get('PUBLIC_URL'), entity.id);
    return new NotConnectedError(entity.name, url, settings.oauth?.connection === 'shared').message;
  }

  /** The command as this host runs it (uvx without uv, a container with its engine…); what cannot run here is a launch error. */
  private async plan(entity: ServiceEntity, command: string, args: string[], cwd: string): Promise<PlannedCommand> {
    try {
      return await this.commands.plan(command, args, {
        serviceName: entity.name,
        transport: entity.transport,
        home: this.sandbox.homeOf(entity.name),
        cwd,
        ownUser: this.sandbox.runsAsOwnUser(entity.process.sandbox?.user),
        limits: this.sandbox.limitsOf(entity),
      });
    } catch (error) {
      if (error instanceof RuntimeUnavailableError) throw new ServiceLaunchError(error.message);
      throw error;
    }
  }

  private commandOf(entity: ServiceEntity): { command: string; args: string[] } {
    if (entity.process.command) return { command: entity.process.command, args: entity.process.args };
    if (entity.repository?.entryPoint) return { command: 'node', args: [entity.repository.entryPoint, ...entity.process.args] };
    throw new ServiceLaunchError(`"${entity.name}" has nothing to run: set process.command, or deploy its repository`);
  }

  /**
   * The configured directory must exist. The default is a directory of the service's own (its clone for
   * a deployed repository), never the proxy's working directory, where a server's dotenv would find the proxy's .env.
   */
  private workingDirectory(entity: ServiceEntity): string {
    if (entity.process.cwd) {
      const cwd = resolve(entity.process.cwd);
      if (!existsSync(cwd) || !statSync(cwd).isDirectory()) throw new ServiceLaunchError(`working directory ${cwd} does not exist`);
      return cwd;
    }
    if (entity.repository) {
      const clone = resolve(this.config.get('CLONE_DIRECTORY'), entity.name);
      if (!existsSync(clone)) throw new ServiceLaunchError(`repository of "${entity.name}" is not deployed yet (no ${clone})`);
      return clone;
    }
    const own = resolve(this.config.dataDir, 'services', entity.name);
    mkdirSync(own, { recursive: true, mode: 0o700 });
    return own;
  }
}
