import { Injectable } from '@nestjs/common';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Confiner } from './build-sandbox';
import { CommandRunner, CommandSpec } from './command-runner';
import { ManifestError } from './manifest';
import { readRepositoryFile, RepositoryFileError } from './repository-file';

export interface BuildStep {
  directory: string;
  env: Record<string, string>;
  timeoutMs: number;
  onLine: (line: string) => void;
  signal?: AbortSignal;
  /** Puts each command into the service's sandbox; without it, commands run as they are. */
  confine?: Confiner;
}

interface PackageJson {
  scripts?: Record<string, unknown>;
  dependencies?: Record<string, unknown>;
  devDependencies?: Record<string, unknown>;
  optionalDependencies?: Record<string, unknown>;
}

/** What the install step did, for the log and the timings. */
export type InstallOutcome = 'npm ci' | 'npm install' | 'nothing to install';

const NPM_FLAGS = ['--no-audit', '--no-fund', '--no-progress', '--include=dev'];

/** npm install and build of a checked-out Node repository. */
@Injectable()
export class PackageBuilder {
  constructor(private readonly runner: CommandRunner) {}

  /**
   * `npm ci` with a lock file, else `npm install`; dependencies' install scripts only when the
   * service allows them (they run third-party code at install time).
   */
  async install(step: BuildStep, { allowScripts }: { allowScripts: boolean }): Promise<InstallOutcome> {
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

  private async run(step: BuildStep, spec: CommandSpec): Promise<void> {
    if (!step.confine) {
      await this.runner.run(spec);
      return;
    }
    const confined = step.confine(spec);
    try {
      await this.runner.run(confined.spec);
    } finally {
      confined.release();
    }
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

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
