import { Injectable } from '@nestjs/common';
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import type { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { ProcFs } from '../resources/proc-fs';

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
