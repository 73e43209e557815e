import { Injectable } from '@nestjs/common';
import type { ServiceTransport } from '@mcp-proxy/shared/dto';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { hostEnvironment } from '../../core/config/host-environment';
import { ContainerLimits, containerCommand, containerName, parseContainerRun } from './container-command';
import { CONTAINER_ENGINES, ContainerEngine, HostRuntimes, PythonLookup } from './host-runtimes';
import { managedVenvCommand } from './managed-venv';
import { pythonToolEnvironment } from './python-environment';
import { parsePipxRun, parseUvx, pipxRunArgs, PythonToolRequest, uvxArgs } from './python-tool-spec';
import { RuntimeUnavailableError } from './runtime-errors';

/** A container the proxy started for a service: how to stop it. */
export interface ContainerHandle {
  engine: ContainerEngine;
  /** The engine's CLI (absolute path). */
  cli: string;
  name: string;
  /** What the CLI needs to find its engine (DOCKER_HOST…), for the stop command too. */
  env: Record<string, string>;
}

/** A service command as this host will run it. */
export interface PlannedCommand {
  command: string;
  args: string[];
  /** Variables the tool needs (caches under the service's home, the engine's address); the service's own win over them. */
  env: Record<string, string>;
  container: ContainerHandle | null;
  /** For the service log, when the command runs otherwise than written ("no uvx here: …"). */
  note: string | null;
}

export interface CommandContext {
  serviceName: string;
  transport: ServiceTransport;
  /** The service's home (caches, managed virtualenvs). */
  home: string;
  /** Where the command starts; a relative command path is resolved from here. Null: not known yet. */
  cwd: string | null;
  /** The child runs as a user of its own (not the proxy's): it must be able to reach the programs it is given. */
  ownUser: boolean;
  limits: ContainerLimits;
}

/** What the engines' CLIs read to find their engine: passed to them, and to nothing else. */
const ENGINE_ENV_KEYS = ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_CONFIG', 'CONTAINER_HOST', 'CONTAINER_CONNECTION', 'XDG_RUNTIME_DIR'];

/**
 * Turns a service's command into what this host can run: `uvx`, `uv`, `pipx run`, `python -m`, a
 * virtualenv's `bin/…` and `docker|podman run -i …`. A Python tool runs with uv when the host has it,
 * else from a virtualenv the proxy manages (`python3 -m venv` + pip), else with pipx; a container
 * with the engine that answers. Everything else runs as written. Asked at create time (check) and at
 * every start (plan); both say what to install when nothing fits.
 */
@Injectable()
export class ServiceCommands {
  constructor(private readonly runtimes: HostRuntimes) {}

  /** Throws RuntimeUnavailableError when this host cannot run the command as a service. */
  async check(command: string, args: readonly string[], context: Omit<CommandContext, 'home' | 'limits'>): Promise<void> {
    await this.plan(command, args, {
      ...context,
      home: '/nonexistent',
      limits: { memoryMb: 0, cpuPercent: 0, maxProcesses: 0, maxOpenFiles: 0 },
    });
  }

  async plan(command: string, args: readonly string[], context: CommandContext): Promise<PlannedCommand> {
    const name = basename(command);
    const asWritten = (env: Record<string, string> = {}, located = command): PlannedCommand => ({
      command: located,
      args: [...args],
      env,
      container: null,
      note: null,
    });
    const python = pythonToolEnvironment(context.home);
    if (name === 'uvx') return this.pythonTool(parseUvx(args), 'uvx', { command, args: [...args] }, context);
    if (name === 'uv') {
      if (args[0] === 'tool' && args[1] === 'run')
        return this.pythonTool(parseUvx(args.slice(2)), 'uv', { command, args: [...args] }, context);
      const uv = this.locate(command, context);
      if (uv) return asWritten(python, uv);
      throw new RuntimeUnavailableError(
        `uv not found on this host: install uv (\`uv ${args[0] ?? ''}\` has nothing to stand in for it; uvx, pipx run, python3 -m and a virtualenv's bin/… do)`,
      );
    }
    if (name === 'pipx') {
      if (args[0] === 'run') return this.pythonTool(parsePipxRun(args.slice(1)), 'pipx', { command, args: [...args] }, context);
      const pipx = this.locate(command, context);
      if (pipx) return asWritten(python, pipx);
      throw new RuntimeUnavailableError('pipx not found on this host: install pipx');
    }
    if (/^python(\d+(\.\d+)?)?$/.test(name)) return this.python(command, args, python, context);
    if ((CONTAINER_ENGINES as readonly string[]).includes(name)) return this.container(name as ContainerEngine, args, context);
    const venvScript = this.virtualenvScript(command, context.cwd);
    if (venvScript) return asWritten(python);
    return asWritten();
  }

  /** uvx / uv tool run / pipx run: the tool that was written if present, else a stand-in, in the order uv, managed venv, pipx. */
  private async pythonTool(
    request: PythonToolRequest,
    written: 'uvx' | 'uv' | 'pipx',
    original: { command: string; args: string[] },
    context: CommandContext,
  ): Promise<PlannedCommand> {
    const env = pythonToolEnvironment(context.home);
    const plan = (command: string, args: string[], note: string | null): PlannedCommand => ({ command, args, env, container: null, note });
    const tool = this.locate(original.command, context);
    if (tool) return plan(tool, original.args, null);
    const what = written === 'pipx' ? 'pipx' : written === 'uv' ? 'uv' : 'uvx';
    const uvx = written === 'pipx' ? this.runtimes.tool('uvx') : null;
    if (uvx) return plan(uvx, uvxArgs(request), `pipx not found on this host: running ${request.command} with uvx`);
    const python = await this.pythonFor(request);
    if (python.interpreter) {
      const managed = managedVenvCommand(python.interpreter.path, request, context.home);
      return plan(
        managed.command,
        managed.args,
        `${what} not found on this host: running ${request.command} from a virtualenv of its own (${managed.venv}, Python ${python.interpreter.version}, pip)`,
      );
    }
    const pipx = written === 'pipx' ? null : this.runtimes.tool('pipx');
    if (pipx) return plan(pipx, pipxRunArgs(request), `${what} not found on this host: running ${request.command} with pipx`);
    const alternatives = written === 'pipx' ? 'install pipx, or uv' : 'install uv, or pipx';
    throw new RuntimeUnavailableError(`${what} not found on this host: ${alternatives}, or a Python 3 with venv (${python.problem})`);
  }

  private pythonFor(request: PythonToolRequest): Promise<PythonLookup> {
    return request.python ? this.runtimes.pythonNamed(`python${request.python}`) : this.runtimes.python();
  }

  /** `python -m …` as written when that name exists; `python`/`python3` otherwise take the host's Python 3. */
  private async python(
    command: string,
    args: readonly string[],
    env: Record<string, string>,
    context: CommandContext,
  ): Promise<PlannedCommand> {
    const located = this.locate(command, context);
    if (located) return { command: located, args: [...args], env, container: null, note: null };
    const name = basename(command);
    if (name === 'python' || name === 'python3') {
      const python = await this.runtimes.python();
      if (python.interpreter)
        return {
          command: python.interpreter.path,
          args: [...args],
          env,
          container: null,
          note: `${command} not found: using ${python.interpreter.path}`,
        };
    }
    throw new RuntimeUnavailableError(`${command} not found on this host: install Python 3 (python3)`);
  }

  private async container(written: ContainerEngine, args: readonly string[], context: CommandContext): Promise<PlannedCommand> {
    const parsed = parseContainerRun(written, args);
    if (context.transport !== 'stdio')
      throw new RuntimeUnavailableError(
        `${written} run serves stdio servers only: run an HTTP server's container yourself and add it as a remote service`,
      );
    const engines: ContainerEngine[] = [written, ...CONTAINER_ENGINES.filter((engine) => engine !== written)];
    const problems: string[] = [];
    for (const engine of engines) {
      const found = await this.runtimes.engine(engine);
      if (!found.engine) {
        problems.push(found.problem);
        continue;
      }
      const name = containerName(context.serviceName, randomBytes(4).toString('hex'));
      const run = containerCommand({
        engine,
        image: parsed.image,
        args: parsed.args,
        name,
        limits: context.limits,
        options: parsed.options,
      });
      const env = hostEnvironment(ENGINE_ENV_KEYS);
      return {
        command: found.path,
        args: run.args,
        env,
        container: { engine, cli: found.path, name, env },
        note: engine === written ? null : `${written} not available here: running the container with ${engine}`,
      };
    }
    throw new RuntimeUnavailableError(`${problems.join('; ')}: install and start Docker or Podman to run "${written} run" services`);
  }

  /** `…/bin/<script>` of a virtualenv (its pyvenv.cfg beside bin/); checked for its interpreter, which a venv does not carry. */
  private virtualenvScript(command: string, cwd: string | null): string | null {
    if (!command.includes('/')) return null;
    if (!isAbsolute(command) && cwd === null) return null;
    const script = isAbsolute(command) ? command : resolve(cwd ?? '/', command);
    if (basename(dirname(script)) !== 'bin') return null;
    const config = join(dirname(dirname(script)), 'pyvenv.cfg');
    if (!existsSync(config)) return null;
    if (!existsSync(script)) throw new RuntimeUnavailableError(`${script} does not exist in the virtualenv ${dirname(dirname(script))}`);
    const home = /^\s*home\s*=\s*(.+?)\s*$/m.exec(readFileSync(config, 'utf8'))?.[1];
    if (home && !existsSync(home))
      throw new RuntimeUnavailableError(
        `the virtualenv ${dirname(dirname(script))} was made with a Python that is gone (${home}): make the virtualenv again`,
      );
    return script;
  }

  /** The command as the child should get it (see HostRuntimes.locate); null when this host does not have it. */
  private locate(command: string, context: CommandContext): string | null {
    return this.runtimes.locate(command, { cwd: context.cwd, forOtherUser: context.ownUser });
  }
}
