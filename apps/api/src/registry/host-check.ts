import { Injectable } from '@nestjs/common';
import { CONTAINER_ENGINES, HostRuntimes } from '../supervisor/runtimes/host-runtimes';
import { RuntimeUnavailableError } from '../supervisor/runtimes/runtime-errors';
import { ServiceCommands } from '../supervisor/runtimes/service-commands';
import type { RegistryOptionView } from '@mcp-proxy/shared/dto';
import type { ServerRecord } from './server-record';
import { ContainerEngineState, describeOptions } from './service-translation';

/**
 * What this host can run, asked the way a service's start would ask it (the supervisor's runtime look-ups,
 * with their short caches): the container engine that answers, for `oci` entries, and whether a runner
 * such as `uvx` can run here (uv, or a stand-in: a managed virtualenv, pipx), for the catalog's marks.
 */
@Injectable()
export class RegistryHostCheck {
  constructor(
    private readonly runtimes: HostRuntimes,
    private readonly commands: ServiceCommands,
  ) {}

  /** The record's options as this host can run them: a runner that cannot run here makes its option not installable, saying why. */
  async options(record: ServerRecord, engine: ContainerEngineState): Promise<RegistryOptionView[]> {
    return Promise.all(
      describeOptions(record, engine).map(async (option) => {
        // npx comes with the Node that runs the proxy; images were checked with the engine.
        if (!option.installable || option.kind !== 'pypi' || !option.runtime) return option;
        const pinned = option.version ? `${option.identifier}==${option.version}` : option.identifier;
        const problem = await this.runnerProblem(option.runtime, [pinned]);
        return problem ? { ...option, installable: false, reason: problem } : option;
      }),
    );
  }

  /** The first engine (docker, then podman) that answers, or why none does. */
  async engine(): Promise<ContainerEngineState> {
    const problems: string[] = [];
    for (const engine of CONTAINER_ENGINES) {
      const found = await this.runtimes.engine(engine);
      if (found.engine) return { engine: found.engine, reason: null };
      problems.push(found.problem);
    }
    return { engine: null, reason: problems.join('; ') };
  }

  /** Why `command args` could not run here (`uvx not found on this host: install uv, …`), or null when it can. */
  async runnerProblem(command: string, args: string[]): Promise<string | null> {
    try {
      await this.commands.check(command, args, { serviceName: 'registry-check', transport: 'stdio', cwd: null, ownUser: false });
      return null;
    } catch (error) {
      if (error instanceof RuntimeUnavailableError) return error.message;
      throw error;
    }
  }
}
