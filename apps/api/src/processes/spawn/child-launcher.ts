import { Inject, Injectable } from '@nestjs/common';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppConfig } from '../../core/config/app-config.service';
import { hostEnvironment } from '../../core/config/host-environment';
import { Clock } from '../clock';
import type { ServiceLog } from '../logging/service-log';
import type { ServiceEntity } from '../service.entity';
import { ServicesService } from '../services.service';
import { SUPERVISOR_OPTIONS, SupervisorOptions } from '../supervisor-options';
import { buildChildEnvironment, INHERITED_ENV_KEYS, variablesHoldingProxySecrets } from './child-environment';
import { ChildSpawner, SpawnSpec } from './child-spawner';
import { PortAllocator } from './port-allocator';
import { PROXY_SECRETS } from './proxy-secrets';
import { ChildOptions, SpawnFailedError, SupervisedChild } from './supervised-child';

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
  onExit?: ChildOptions['onExit'];
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
    private readonly services: ServicesService,
    private readonly ports: PortAllocator,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    @Inject(PROXY_SECRETS) private readonly proxySecrets: string[],
    @Inject(SUPERVISOR_OPTIONS) private readonly options: SupervisorOptions,
  ) {}

  async launch(entity: ServiceEntity, { generation, log, session, onExit, environment }: LaunchOptions): Promise<SupervisedChild> {
    const { command, args } = this.commandOf(entity);
    const serviceEnv = environment ?? (await this.services.environmentOf(entity.id));
    const leaking = variablesHoldingProxySecrets(serviceEnv, this.proxySecrets);
    if (leaking.length > 0) {
      throw new ServiceLaunchError(
        `environment.${leaking.join(', environment.')} holds one of the proxy's own secrets; refusing to pass it to the server`,
      );
    }
    const port = entity.transport === 'http' ? (entity.process.port ?? (await this.ports.freePort())) : null;
    const spec: SpawnSpec = {
      command,
      args,
      cwd: this.workingDirectory(entity),
      env: buildChildEnvironment({ inherited: this.inherited, service: serviceEnv, port }),
    };
    log.setSecrets([...Object.values(serviceEnv), ...this.proxySecrets]);
    let counter = 0;
    const options = this.options;
    try {
      return await SupervisedChild.launch((s) => this.spawner.spawn(s), spec, {
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
      });
    } catch (error) {
      if (error instanceof SpawnFailedError) throw new ServiceLaunchError(error.message);
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
