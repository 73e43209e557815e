import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { LineSplitter } from '@mcp-proxy/mcp/protocol';

export interface CommandSpec {
  command: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  /** Every line of stdout and stderr, as it comes. */
  onLine: (line: string) => void;
  /** Aborting kills the command's whole process group. */
  signal?: AbortSignal;
  /** How messages name the command (the command line itself by default): a sandboxed one by what it runs, not by its wrappers. */
  label?: string;
}

export type CommandFailure = 'exited' | 'timed-out' | 'stopped' | 'not-started';

/** A command that exited non-zero, timed out, or was stopped; the message names it and ends with its last lines. */
export class CommandFailedError extends Error {
  constructor(
    message: string,
    readonly kind: CommandFailure,
    readonly code: number | null,
    readonly output: string[],
  ) {
    super(message);
    this.name = 'CommandFailedError';
  }
}

/** The variable that marks a build's processes, so they can be found (and killed) after a crash of the proxy. */
export const DEPLOYMENT_MARKER_ENV = 'MCP_PROXY_DEPLOYMENT';

const TAIL_LINES = 15;
const KILL_GRACE_MS = 2000;
const MAX_LINE_BYTES = 64 * 1024;

/**
 * Runs build commands (git, npm): argument arrays and no shell, each in a process group of its own
 * so a time-out or an abort takes down everything it started, output split into lines.
 */
@Injectable()
export class CommandRunner implements OnApplicationShutdown {
  private readonly groups = new Set<number>();
  private readonly killAll = (): void => {
    for (const pgid of this.groups) signalGroup(pgid, 'SIGKILL');
  };

  constructor() {
    process.on('exit', this.killAll);
  }

  run(spec: CommandSpec): Promise<string[]> {
    const shown = spec.label ?? [spec.command, ...spec.args].join(' ');
    return new Promise((resolve, reject) => {
      if (spec.signal?.aborted)
        return reject(new CommandFailedError(`${shown}: not started (${reasonOf(spec.signal)})`, 'stopped', null, []));
      const child = spawn(spec.command, [...spec.args], {
        cwd: spec.cwd,
        env: spec.env,
        shell: false,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const tail: string[] = [];
      const onLine = (line: string): void => {
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
        spec.onLine(line);
      };
      const splitters = [child.stdout, child.stderr].map((stream) => {
        const splitter = new LineSplitter({ onLine, maxLineBytes: MAX_LINE_BYTES });
        stream.on('data', (chunk: Buffer) => splitter.push(chunk));
        return splitter;
      });
      let stoppedBecause: { kind: CommandFailure; why: string } | null = null;
      const stop = (kind: CommandFailure, why: string): void => {
        stoppedBecause ??= { kind, why };
        if (child.pid === undefined) return;
        signalGroup(child.pid, 'SIGTERM');
        setTimeout(() => child.pid !== undefined && signalGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS).unref();
      };
      const timer = setTimeout(() => stop('timed-out', `timed out after ${Math.round(spec.timeoutMs / 1000)} s`), spec.timeoutMs);
      const onAbort = (): void => stop('stopped', reasonOf(spec.signal));
      spec.signal?.addEventListener('abort', onAbort, { once: true });
      if (child.pid !== undefined) this.groups.add(child.pid);

      const finish = (): void => {
        clearTimeout(timer);
        spec.signal?.removeEventListener('abort', onAbort);
        if (child.pid !== undefined) this.groups.delete(child.pid);
      };
      child.once('error', (error) => {
        finish();
        reject(new CommandFailedError(`${shown}: cannot run ${spec.command} (${error.message})`, 'not-started', null, []));
      });
      // 'close' waits for the output pipes, so the last lines are in before the verdict.
      child.once('close', (code, signal) => {
        finish();
        for (const splitter of splitters) splitter.end();
        // Whatever the command left running in its group (a daemon, a watcher) goes with it.
        if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
        if (code === 0 && !stoppedBecause) return resolve(tail);
        const how = stoppedBecause?.why ?? (signal ? `killed by ${signal}` : `exited with code ${code}`);
        const last = tail.length > 0 ? `:\n${tail.join('\n')}` : '';
        reject(new CommandFailedError(`${shown} ${how}${last}`, stoppedBecause?.kind ?? 'exited', code, [...tail]));
      });
    });
  }

  /**
   * Kills what is left of builds of these deployments (found by their marker variable in /proc):
   * after a crash of the proxy, nothing of an interrupted deploy keeps running.
   */
  async killLeftovers(deploymentIds: readonly string[]): Promise<number> {
    if (deploymentIds.length === 0) return 0;
    const markers = new Set(deploymentIds.map((id) => `${DEPLOYMENT_MARKER_ENV}=${id}`));
    let killed = 0;
    let entries: string[];
    try {
      entries = await readdir('/proc');
    } catch {
      return 0;
    }
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      let environ: string;
      try {
        environ = await readFile(`/proc/${entry}/environ`, 'utf8');
      } catch {
        continue; // gone, or another user's
      }
      if (!environ.split('\0').some((variable) => markers.has(variable))) continue;
      try {
        process.kill(Number(entry), 'SIGKILL');
        killed++;
      } catch {
        // exited meanwhile
      }
    }
    return killed;
  }

  onApplicationShutdown(): void {
    process.off('exit', this.killAll);
    this.killAll();
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone
  }
}

function reasonOf(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'stopped';
}
