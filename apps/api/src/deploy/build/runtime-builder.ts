import { access } from 'node:fs/promises';
import type { ServiceEntity } from '../../services/service.entity';
import type { Confiner } from './build-sandbox';
import type { CommandRunner, CommandSpec } from './command-runner';
import type { Manifest } from './manifest';

/** One step of a deployment's build: where, with what, for how long, and where its lines go. */
export interface BuildStep {
  directory: string;
  env: Record<string, string>;
  timeoutMs: number;
  onLine: (line: string) => void;
  signal?: AbortSignal;
  /** Puts each command into the service's sandbox; without it, commands run as they are. */
  confine?: Confiner;
}

/** What the install step did, for the log and the timings. */
export type InstallOutcome = 'npm ci' | 'npm install' | 'pip install' | 'uv pip install' | 'nothing to install';

/** The command that starts a build's server (absolute, or relative to the build directory). */
export interface StartCommand {
  command: string;
  args: string[];
}

/**
 * What the deploy pipeline asks of a runtime (Node, Python): the same steps (install, build, start),
 * the same sandbox and log, whatever the language. Each is a class of its own beside this file, chosen
 * by RuntimeBuilders from the manifest.
 */
export interface RuntimeBuilder {
  /** Variables the install and build commands get on top of the host's (a package index the service names, caches under its home). */
  environment(service: ServiceEntity, environment: Record<string, string>): Record<string, string>;
  install(step: BuildStep, options: { allowScripts: boolean; manifest: Manifest }): Promise<InstallOutcome>;
  /** False when there is nothing to build. */
  build(step: BuildStep): Promise<boolean>;
  /** How the build's server starts; `override` is the deploy's (or the service's) entry point. ManifestError when nothing fits. */
  startCommand(directory: string, manifest: Manifest, override: string | null): Promise<StartCommand>;
}

/** Runs one command of a build step, in the step's sandbox when it has one. */
export async function runStep(runner: CommandRunner, step: BuildStep, spec: CommandSpec): Promise<void> {
  if (!step.confine) {
    await runner.run(spec);
    return;
  }
  const confined = step.confine(spec);
  try {
    await runner.run(confined.spec);
  } finally {
    confined.release();
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
