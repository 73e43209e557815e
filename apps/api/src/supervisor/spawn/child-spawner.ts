import { Injectable } from '@nestjs/common';
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { hostEnvironment } from '../../core/config/host-environment';
import { ProcFs } from '../resources/proc-fs';
import { containerKillArgs, containerStopArgs } from '../runtimes/container-command';
import type { ContainerHandle } from '../runtimes/service-commands';

/** How much longer than its grace period `docker stop` may take before it is given up. */
const CONTAINER_STOP_MARGIN_SEC = 10;

export interface SpawnSpec {
  command: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
}

/** What the supervisor uses of a ChildProcess, so a test can hand it a fake. */
export interface SpawnedProcess extends EventEmitter {
  readonly pid?: number;
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
}

/** Starts children and signals their process groups. The only code that creates or kills processes. */
@Injectable()
export class ChildSpawner {
  constructor(private readonly proc: ProcFs) {}

  /**
   * No shell (the command and its arguments are passed as they are), and `detached` so the child leads
   * a process group of its own: a stop then reaches everything it started (npx → node → …).
   */
  spawn(spec: SpawnSpec): SpawnedProcess {
    const child: ChildProcessWithoutNullStreams = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      shell: false,
      detached: true,
      windowsHide: true,
    });
    return child;
  }

  /**
   * Has the engine stop a service's container (gracefully, or at once when the proxy is exiting): it
   * lives outside the CLI's process group, so signalling the group alone could leave it running. Not
   * waited for; bounded in time, and its failure (the container gone already) is of no interest.
   */
  stopContainer(container: ContainerHandle, graceSec: number, now: boolean): void {
    const args = now ? containerKillArgs(container.name) : containerStopArgs(container.name, graceSec);
    try {
      const child = spawn(container.cli, args, {
        env: { ...hostEnvironment(['PATH', 'HOME']), ...container.env },
        stdio: 'ignore',
        detached: true,
        timeout: (graceSec + CONTAINER_STOP_MARGIN_SEC) * 1000,
        killSignal: 'SIGKILL',
      });
      child.once('error', () => undefined);
      child.unref();
    } catch {
      // The CLI vanished: nothing more can be done from here.
    }
  }

  /** False when the group no longer exists. */
  signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
    try {
      process.kill(-pgid, signal);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
      throw error;
    }
  }

  /**
   * Whether any live process of the group remains. Zombies do not count: they wait for init to reap
   * them and can run nothing. Without /proc, any member (zombie or not) counts.
   */
  async groupAlive(pgid: number): Promise<boolean> {
    const stats = await this.proc.allStats();
    if (stats.length === 0) return this.signalGroup(pgid, 0);
    return stats.some((stat) => stat.pgrp === pgid && stat.state !== 'Z');
  }
}
