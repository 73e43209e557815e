import { Injectable } from '@nestjs/common';
import { join } from 'node:path';
import { CommandRunner, CommandSpec } from './command-runner';
import { Manifest, ManifestError } from './manifest';
import { readRepositoryFile, RepositoryFileError } from './repository-file';
import { BuildStep, exists, InstallOutcome, RuntimeBuilder, runStep, StartCommand } from './runtime-builder';

interface PackageJson {
  scripts?: Record<string, unknown>;
  dependencies?: Record<string, unknown>;
  devDependencies?: Record<string, unknown>;
  optionalDependencies?: Record<string, unknown>;
}

const NPM_FLAGS = ['--no-audit', '--no-fund', '--no-progress', '--include=dev'];

/** npm install and build of a checked-out Node repository, started as `node <entryPoint>`. */
@Injectable()
export class PackageBuilder implements RuntimeBuilder {
  constructor(private readonly runner: CommandRunner) {}

  environment(): Record<string, string> {
    return {};
  }

  async startCommand(directory: string, manifest: Manifest, override: string | null): Promise<StartCommand> {
    const entryPoint = override ?? (manifest.runtime === 'node' ? manifest.entryPoint : null);
    if (!entryPoint || !(await exists(join(directory, entryPoint))))
      throw new ManifestError(`the entry point ${entryPoint ?? '(none)'} does not exist in the build (after install and build)`);
    return { command: 'node', args: [entryPoint] };
  }

  /**
   * `npm ci` with a lock file, else `npm install`; dependencies' install scripts only when the
   * service allows them (they run third-party code at install time).
   */
  async install(step: BuildStep, { allowScripts }: { allowScripts: boolean; manifest?: Manifest }): Promise<InstallOutcome> {
    const pkg = await readPackageJson(step.directory);
    if (!pkg || !hasDependencies(pkg)) return 'nothing to install';
    const locked = (await exists(join(step.directory, 'package-lock.json'))) || (await exists(join(step.directory, 'npm-shrinkwrap.json')));
    const command = locked ? 'ci' : 'install';
    const args = [command, ...NPM_FLAGS, ...(allowScripts ? [] : ['--ignore-scripts'])];
    step.onLine(`$ npm ${args.join(' ')}`);
    await this.run(step, {
      command: 'npm',
      args,
      cwd: step.directory,
      env: step.env,
      timeoutMs: step.timeoutMs,
      onLine: step.onLine,
      signal: step.signal,
    });
    return locked ? 'npm ci' : 'npm install';
  }

  /** Runs `npm run build` when package.json has a build script; false when there is none. */
  async build(step: BuildStep): Promise<boolean> {
    const pkg = await readPackageJson(step.directory);
    if (typeof pkg?.scripts?.['build'] !== 'string') return false;
    step.onLine('$ npm run build');
    await this.run(step, {
      command: 'npm',
      args: ['run', 'build'],
      cwd: step.directory,
      env: step.env,
      timeoutMs: step.timeoutMs,
      onLine: step.onLine,
      signal: step.signal,
    });
    return true;
  }

  private run(step: BuildStep, spec: CommandSpec): Promise<void> {
    return runStep(this.runner, step, spec);
  }
}

function hasDependencies(pkg: PackageJson): boolean {
  return [pkg.dependencies, pkg.devDependencies, pkg.optionalDependencies].some((section) => section && Object.keys(section).length > 0);
}

/** Read again after the install ran the repository's code, which may have turned it into a link: only inside the repository. */
async function readPackageJson(directory: string): Promise<PackageJson | null> {
  let text: string | null;
  try {
    text = await readRepositoryFile(directory, 'package.json');
  } catch (error) {
    if (error instanceof RepositoryFileError) throw new ManifestError(error.message);
    throw error;
  }
  if (text === null) return null;
  try {
    return JSON.parse(text) as PackageJson;
  } catch (error) {
    throw new ManifestError(`package.json is not valid JSON: ${(error as Error).message}`);
  }
}
