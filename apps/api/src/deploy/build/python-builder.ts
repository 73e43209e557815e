import { Injectable } from '@nestjs/common';
import { join } from 'node:path';
import type { ServiceEntity } from '../../services/service.entity';
import { HostRuntimes } from '../../supervisor/runtimes/host-runtimes';
import { packageIndexVariables, pythonToolEnvironment } from '../../supervisor/runtimes/python-environment';
import { RuntimeUnavailableError } from '../../supervisor/runtimes/runtime-errors';
import { ChildSandbox } from '../../supervisor/sandbox/child-sandbox';
import { CommandRunner } from './command-runner';
import { installedProject } from './console-scripts';
import { Manifest, ManifestError, PythonManifest } from './manifest';
import { BuildStep, exists, InstallOutcome, RuntimeBuilder, runStep, StartCommand } from './runtime-builder';

/** The build's own virtualenv, inside the build directory: a rollback finds it where the build is. */
export const BUILD_VENV = '.venv';

const PIP_FLAGS = ['--disable-pip-version-check', '--no-input', '--progress-bar', 'off'];

/**
 * Builds a Python repository into a virtualenv of its own per build (`<build>/.venv`), with uv when
 * the host has it, else the host's Python (`-m venv`) and pip: `requirements.txt` first, then the
 * project itself (pyproject.toml). Its server starts from that virtualenv. The install runs in the
 * service's sandbox like npm's, with the package index the service's own PIP_* / UV_* variables name.
 */
@Injectable()
export class PythonBuilder implements RuntimeBuilder {
  constructor(
    private readonly runner: CommandRunner,
    private readonly runtimes: HostRuntimes,
    private readonly sandbox: ChildSandbox,
  ) {}

  environment(service: ServiceEntity, environment: Record<string, string>): Record<string, string> {
    return { ...pythonToolEnvironment(this.sandbox.homeOf(service.name)), ...packageIndexVariables(environment) };
  }

  async install(step: BuildStep, { manifest }: { allowScripts: boolean; manifest: Manifest }): Promise<InstallOutcome> {
    const python = pythonOf(manifest);
    const targets = [...(python.requirements ? ['-r', 'requirements.txt'] : []), ...(python.pyproject ? ['.'] : [])];
    const venvPython = join(BUILD_VENV, 'bin', 'python');
    // A build runs as the service's user where it has one: it must be given tools that user can run.
    const uv = this.runtimes.locate('uv', { cwd: null, forOtherUser: true });
    const interpreter = await this.runtimes.python();
    if (uv) {
      await this.run(step, uv, ['venv', ...(interpreter.interpreter ? ['--python', interpreter.interpreter.path] : []), BUILD_VENV]);
      if (targets.length === 0) return 'nothing to install';
      await this.run(step, uv, ['pip', 'install', '--python', venvPython, ...targets]);
      return 'uv pip install';
    }
    if (!interpreter.interpreter)
      throw new RuntimeUnavailableError(`a Python repository needs uv or a Python 3 with venv on this host: ${interpreter.problem}`);
    await this.run(step, interpreter.interpreter.path, ['-m', 'venv', ...(targets.length === 0 ? ['--without-pip'] : []), BUILD_VENV]);
    if (targets.length === 0) return 'nothing to install';
    await this.run(step, venvPython, ['-m', 'pip', 'install', ...PIP_FLAGS, ...targets]);
    return 'pip install';
  }

  /** Nothing beyond the install: a Python project is built (into a wheel) by pip or uv as it is installed. */
  async build(): Promise<boolean> {
    return false;
  }

  /**
   * In order: the deploy's entry point (a .py file, or a script of the virtualenv), the manifest's
   * command, module or entry point, then the project's console script (the only one, or the one named
   * like the project). Always the build's own Python and scripts, by absolute path.
   */
  async startCommand(directory: string, manifest: Manifest, override: string | null): Promise<StartCommand> {
    const python = pythonOf(manifest);
    const bin = join(directory, BUILD_VENV, 'bin');
    const venvPython = join(bin, 'python');
    const args = python.args;
    if (override) {
      if (override.endsWith('.py')) return this.file(directory, venvPython, override, args);
      return this.script(bin, override, args, `the entry point ${override}`);
    }
    if (python.command) {
      if (python.command === 'python' || python.command === 'python3') return { command: venvPython, args };
      if (await exists(join(bin, python.command))) return { command: join(bin, python.command), args };
      if (python.command.includes('/') && (await exists(join(directory, python.command))))
        return { command: join(directory, python.command), args };
      throw new ManifestError(
        `${python.source} command ${python.command} is neither a script of the build's virtualenv nor a file of the repository`,
      );
    }
    if (python.module) return { command: venvPython, args: ['-m', python.module, ...args] };
    if (python.entryPoint) return this.file(directory, venvPython, python.entryPoint, args);
    const project = await installedProject(directory, BUILD_VENV);
    const scripts = project?.scripts ?? [];
    const normalized = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '-');
    const chosen = scripts.length === 1 ? scripts[0] : scripts.find((script) => project && normalized(script) === normalized(project.name));
    if (chosen) return this.script(bin, chosen, args, `the console script ${chosen}`);
    if (scripts.length > 1)
      throw new ManifestError(
        `the project declares several console scripts (${scripts.join(', ')}): name the server's in mcp.json ("runtime": "python", "command": "…")`,
      );
    throw new ManifestError(
      'nothing says how to start the server: the project declares no [project.scripts], and no mcp.json names a command, module or entryPoint',
    );
  }

  private async file(directory: string, venvPython: string, file: string, args: string[]): Promise<StartCommand> {
    if (!(await exists(join(directory, file)))) throw new ManifestError(`the entry point ${file} does not exist in the build`);
    return { command: venvPython, args: [file, ...args] };
  }

  private async script(bin: string, name: string, args: string[], what: string): Promise<StartCommand> {
    if (name.includes('/') || !(await exists(join(bin, name))))
      throw new ManifestError(`${what} is not a script of the build's virtualenv (${BUILD_VENV}/bin)`);
    return { command: join(bin, name), args };
  }

  private async run(step: BuildStep, command: string, args: string[]): Promise<void> {
    step.onLine(`$ ${[command, ...args].join(' ')}`);
    await runStep(this.runner, step, {
      command,
      args,
      cwd: step.directory,
      env: step.env,
      timeoutMs: step.timeoutMs,
      onLine: step.onLine,
      signal: step.signal,
    });
  }
}

function pythonOf(manifest: Manifest): PythonManifest {
  if (manifest.runtime !== 'python') throw new Error(`a ${manifest.runtime} manifest given to the Python builder`);
  return manifest;
}
