import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { SpawnedProcess } from '../../src/supervisor/spawn/child-spawner';
import type { GroupSignaller } from '../../src/supervisor/spawn/supervised-child';

/** A child process in memory: the test writes its stdout/stderr and decides when and how it exits. */
export class FakeChildProcess extends EventEmitter implements SpawnedProcess {
  readonly stdin = new PassThrough();
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  /** Lines the parent wrote to stdin. */
  readonly received: string[] = [];
  exitedWith: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  constructor(readonly pid: number) {
    super();
    let buffered = '';
    this.stdin.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      this.received.push(...lines);
    });
  }

  /** The OS started it (as Node reports it: on a later tick). */
  spawnSoon(): this {
    setImmediate(() => this.emit('spawn'));
    return this;
  }

  failSoon(code: string): this {
    setImmediate(() => this.emit('error', Object.assign(new Error(`spawn x ${code}`), { code })));
    return this;
  }

  exit(code: number | null, signal: NodeJS.Signals | null = null): void {
    if (this.exitedWith) return;
    this.exitedWith = { code, signal };
    this.emit('exit', code, signal);
    this.stdout.end();
    this.stderr.end();
  }
}

/** Records group signals; by default the fake exits on SIGTERM as a well-behaved server does. */
export class FakeSignaller implements GroupSignaller {
  readonly signals: [number, NodeJS.Signals | 0][] = [];
  ignoreSigterm = false;

  constructor(private readonly processes: Map<number, FakeChildProcess> = new Map()) {}

  signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
    const target = this.processes.get(pgid);
    if (!target || target.exitedWith) return false;
    this.signals.push([pgid, signal]);
    if (signal === 'SIGKILL' || (signal === 'SIGTERM' && !this.ignoreSigterm)) setImmediate(() => target.exit(null, signal));
    return true;
  }

  async groupAlive(pgid: number): Promise<boolean> {
    const target = this.processes.get(pgid);
    return target !== undefined && target.exitedWith === null;
  }
}
