import { Injectable } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { Clock } from '../core/time/clock';
import type { ContainerEngineState } from './service-translation';

const PROBE_TIMEOUT_MS = 5_000;
/** An engine started (or stopped) after the proxy is noticed within this time. */
const REMEMBER_MS = 60_000;

/** What reaches each engine: docker's daemon (the client alone exits 0 on `docker --version`), podman's local store. */
const ENGINE_CHECKS: [NonNullable<ContainerEngineState['engine']>, string[]][] = [
  ['docker', ['version', '--format', '{{.Server.Version}}']],
  ['podman', ['info', '--format', '{{.Host.Arch}}']],
];

/** Runs one program with arguments (no shell) and says whether it exited 0, with its error output. */
export type ProgramRunner = (program: string, args: string[]) => Promise<{ ok: boolean; output: string }>;

const runProgram: ProgramRunner = (program, args) =>
  new Promise((resolve) => {
    execFile(program, args, { timeout: PROBE_TIMEOUT_MS, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = (error as NodeJS.ErrnoException | null)?.code;
      resolve({ ok: !error, output: code === 'ENOENT' ? 'ENOENT' : `${stderr || stdout || error?.message || ''}`.trim() });
    });
  });

/**
 * Whether an image can be run here: docker or podman on PATH whose engine answers (`<engine> version`
 * reaches the daemon or the podman service). Catalog entries of kind `oci` are installable only then.
 * Asked at most once a minute.
 */
@Injectable()
export class ContainerEngineProbe {
  private remembered: { at: number; state: ContainerEngineState } | null = null;
  private run: ProgramRunner = runProgram;

  constructor(private readonly clock: Clock) {}

  /** For tests: another way to run the engines' CLIs. */
  useRunner(run: ProgramRunner): void {
    this.run = run;
    this.remembered = null;
  }

  async state(): Promise<ContainerEngineState> {
    const now = this.clock.now();
    if (this.remembered && now - this.remembered.at < REMEMBER_MS) return this.remembered.state;
    const state = await this.probe();
    this.remembered = { at: now, state };
    return state;
  }

  private async probe(): Promise<ContainerEngineState> {
    const reasons: string[] = [];
    for (const [engine, args] of ENGINE_CHECKS) {
      const answer = await this.run(engine, args);
      if (answer.ok) return { engine, reason: null };
      reasons.push(answer.output === 'ENOENT' ? `${engine} is not installed` : `${engine} does not answer (${firstLine(answer.output)})`);
    }
    return { engine: null, reason: reasons.join('; ') };
  }
}

function firstLine(text: string): string {
  return (text.split('\n').find((line) => line.trim() !== '') ?? 'no output').trim().slice(0, 200);
}
