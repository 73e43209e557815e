import {
  JsonRpcId,
  type JsonRpcError,
  JsonRpcPeer,
  LineSplitter,
  SERVER_UNAVAILABLE,
  type WireMessage,
  writtenCallback,
} from '@mcp-proxy/mcp/protocol';
import type { SandboxStatusView, ServiceTransport } from '@mcp-proxy/shared/dto';
import type { ChildExit, ChildHandle, ServiceLogLine } from '../child-handle';
import type { SpawnedProcess, SpawnSpec } from './child-spawner';
import { inBackground } from '../../core/logging/background';

/** Where a child's output goes; returns the line as stored (masked), which feeds the stderr tail. */
export interface ChildLogWriter {
  append(stream: ServiceLogLine['stream'], text: string, level?: ServiceLogLine['level']): { text: string };
}

/** The parts of ChildSpawner a child needs after it is spawned. */
export interface GroupSignaller {
  signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean;
  groupAlive(pgid: number): Promise<boolean>;
}

export interface ChildOptions {
  serviceId: string;
  serviceName: string;
  generation: number;
  transport: ServiceTransport;
  /** `http` services: where the child listens. */
  port: number | null;
  /** Ids for the peer's own requests; default 1, 2, 3… */
  nextId?: () => JsonRpcId;
  log: ChildLogWriter;
  signaller: GroupSignaller;
  /** After SIGTERM, how long the group has before SIGKILL. */
  graceMs: number;
  now: () => number;
  /** Called the moment the process exits, before `exited` settles (which waits briefly for its last output). */
  onExit?: (child: SupervisedChild, facts: ExitFacts) => void;
  /** A better cause than the exit code when the sandbox knows one ("killed by memory limit 256 MB"). */
  explainExit?: (code: number | null, signal: NodeJS.Signals | null) => string | null;
  /** The sandbox and limits the child runs in. */
  sandbox?: SandboxStatusView | null;
  /**
   * Told once when the child is being stopped (or has died), before its group is signalled: what lives
   * outside the group goes with it (a container, which its engine runs). `now`: the proxy is exiting.
   */
  onStop?: (now: boolean) => void;
  /** Bytes that may wait on the child's stdin before requests are refused (default MAX_STDIN_BUFFER_BYTES). */
  stdinLimitBytes?: number;
}

/** What is known the instant a child exits. */
export interface ExitFacts {
  code: number | null;
  signal: NodeJS.Signals | null;
  expected: boolean;
  /** "exited with code 1", "killed by SIGKILL", or the reason given to stop(). */
  cause: string;
}

export interface StopRequest {
  /** Shown as the exit reason (`unresponsive: …`); default "stopped". */
  reason?: string;
  /** False for the supervisor's own restarts of a sick child, so they count against the restart policy. */
  expected?: boolean;
}

/** Thrown when the process could not be started at all (command not found, no such directory). */
export class SpawnFailedError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'SpawnFailedError';
  }
}

/** Stderr kept per child for the crash reason: the last lines, at most this many characters. */
const STDERR_TAIL_LINES = 20;
const STDERR_TAIL_CHARS = 2048;
/** Bigger stderr lines are dropped by the splitter (logs cut lines anyway). */
const MAX_LOG_LINE_BYTES = 64 * 1024;
/**
 * A child that stops reading its stdin must not make the proxy buffer without bound. Room for sixteen requests of the
 * largest size a client may send (8 MiB): a server busy parsing one large request is slow, not stuck.
 */
const MAX_STDIN_BUFFER_BYTES = 128 * 1024 * 1024;
/** After the exit, how long to wait for the last output (a crash message) before reporting the exit. */
const OUTPUT_DRAIN_MS = 250;
const GROUP_POLL_MS = 25;
const KILL_WAIT_MS = 2000;

/**
 * One running process and its process group: the ChildHandle the proxy talks to. Frames stdout into
 * JSON-RPC for `stdio` services, sends the rest of the output to the log, closes the peer the moment
 * the process exits, and stops the whole group (SIGTERM, then SIGKILL after the grace period).
 */
export class SupervisedChild implements ChildHandle {
  readonly serviceId: string;
  readonly serviceName: string;
  readonly generation: number;
  readonly pid: number;
  readonly port: number | null;
  readonly peer: JsonRpcPeer | null;
  readonly startedAt: number;
  readonly exited: Promise<ChildExit>;
  readonly sandbox: SandboxStatusView | null;

  private resolveExited!: (exit: ChildExit) => void;
  private hasExited = false;
  private stopRequest: StopRequest | null = null;
  private reaping: Promise<void> | null = null;
  /** Known to have no process left, so its group id is never signalled again (ids get reused). */
  private groupGone = false;
  private stdinOverflowReported = false;
  private readonly stdinLimitBytes: number;
  /** onStop was called (it runs once, whatever ends the child). */
  private stopTold = false;
  private stdinCorked = false;
  private outputEnded = false;
  private readonly stderrTail: string[] = [];
  private readonly splitters: LineSplitter[] = [];

  private constructor(
    private readonly process: SpawnedProcess,
    pid: number,
    private readonly options: ChildOptions,
  ) {
    this.serviceId = options.serviceId;
    this.serviceName = options.serviceName;
    this.stdinLimitBytes = options.stdinLimitBytes ?? MAX_STDIN_BUFFER_BYTES;
    this.generation = options.generation;
    this.pid = pid;
    this.port = options.port;
    this.startedAt = options.now();
    this.sandbox = options.sandbox ?? null;
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
    this.peer =
      options.transport === 'stdio'
        ? new JsonRpcPeer({ send: (text) => this.send(text), unsent: () => this.inputRefusal(), nextId: options.nextId })
        : null;
    this.wire();
  }

  /** Spawns and resolves once the OS has started the process; rejects with SpawnFailedError otherwise. */
  static async launch(spawn: (spec: SpawnSpec) => SpawnedProcess, spec: SpawnSpec, options: ChildOptions): Promise<SupervisedChild> {
    let process: SpawnedProcess;
    try {
      process = spawn(spec);
    } catch (error) {
      throw spawnFailure(spec, error);
    }
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => {
        process.off('spawn', onSpawn);
        reject(spawnFailure(spec, error));
      };
      const onSpawn = (): void => {
        process.off('error', onError);
        resolve();
      };
      process.once('spawn', onSpawn);
      process.once('error', onError);
    });
    return new SupervisedChild(process, process.pid as number, options);
  }

  get isRunning(): boolean {
    return !this.hasExited;
  }

  get description(): string {
    return `pid ${this.pid}${this.port ? `, port ${this.port}` : ''}`;
  }

  /**
   * Stops the child and everything in its process group; resolves once none of it is left.
   * The first request decides the reason; later calls wait for the same end.
   */
  async stop(request: StopRequest = {}): Promise<ChildExit> {
    this.stopRequest ??= request;
    this.process.stdin.end();
    await this.reapGroup();
    return this.exited;
  }

  /** Last resort when the proxy itself is exiting and cannot wait: SIGKILL to the group, synchronously. */
  killNow(): void {
    this.tellStopping(true);
    if (!this.groupGone) this.options.signaller.signalGroup(this.pid, 'SIGKILL');
  }

  private tellStopping(now: boolean): void {
    if (this.stopTold) return;
    this.stopTold = true;
    this.options.onStop?.(now);
  }

  private wire(): void {
    const { process, options } = this;
    // Errors after a successful spawn (a failed kill, a broken pipe) end in 'exit' too; log, never throw.
    process.on('error', (error: Error) => options.log.append('system', `process error: ${error.message}`, 'error'));
    process.stdin.on('error', () => undefined);
    process.once('exit', (code: number | null, signal: NodeJS.Signals | null) => this.onExit(code, signal));

    if (this.peer) {
      const peer = this.peer;
      // Lines stay bytes: a large message is relayed without being decoded (see framed-message).
      const splitter = new LineSplitter({
        onBytes: (line) =>
          looksLikeJson(line) ? peer.receiveBytes(line) : options.log.append('stdout', Buffer.concat(line).toString('utf8')),
        onOversize: (info) =>
          options.log.append('system', `dropped a ${info.bytesSeen}-byte message from stdout: over the size limit`, 'warn'),
      });
      this.listen(process.stdout, splitter);
    } else {
      this.follow(process.stdout, (line) => options.log.append('stdout', line), MAX_LOG_LINE_BYTES);
    }
    this.follow(process.stderr, (line) => this.keepStderr(options.log.append('stderr', line).text), MAX_LOG_LINE_BYTES);
  }

  private follow(stream: NodeJS.ReadableStream, onLine: (line: string) => void, maxLineBytes?: number): void {
    const splitter = new LineSplitter({
      onLine,
      maxLineBytes,
      onOversize: (info) => this.options.log.append('system', `dropped an output line of over ${info.limit} bytes`, 'warn'),
    });
    this.listen(stream, splitter);
  }

  private listen(stream: NodeJS.ReadableStream, splitter: LineSplitter): void {
    this.splitters.push(splitter);
    // A grandchild may still write after the exit has been reported and the splitters ended: ignore it.
    stream.on('data', (chunk: Buffer) => {
      if (!this.outputEnded) splitter.push(chunk);
    });
    stream.on('error', () => undefined);
  }

  /**
   * The refusal a caller gets while the child is not reading its stdin (too much waits for it), reported in the
   * service log once; null while it reads.
   */
  private inputRefusal(): JsonRpcError | null {
    const waiting = this.process.stdin.writableLength;
    if (waiting <= this.stdinLimitBytes) return null;
    if (!this.stdinOverflowReported) {
      this.stdinOverflowReported = true;
      this.options.log.append('system', `the server is not reading its input (${waiting} bytes waiting): refusing more`, 'error');
    }
    return {
      code: SERVER_UNAVAILABLE,
      message: `MCP server "${this.serviceName}" is not reading its input (${waiting} bytes waiting); try again later`,
    };
  }

  /** The peer's transport. False once the child is gone, or when it has stopped reading its input. */
  private send(text: WireMessage): boolean {
    const stdin = this.process.stdin;
    if (this.hasExited || !stdin.writable || this.inputRefusal()) return false;
    // Messages written in one turn of the event loop (every request read in its poll phase) leave
    // in one writev: far fewer syscalls and wake-ups of the child under load.
    if (!this.stdinCorked) {
      this.stdinCorked = true;
      stdin.cork();
      setImmediate(() => {
        this.stdinCorked = false;
        stdin.uncork();
      });
    }
    if (typeof text === 'string') stdin.write(text);
    else for (const part of text) stdin.write(part);
    stdin.write('\n', writtenCallback(text));
    return true;
  }

  private keepStderr(text: string): void {
    this.stderrTail.push(text);
    if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.hasExited = true;
    // Decided now: a stop asked for after the child died on its own does not make the death expected.
    const request = this.stopRequest;
    const expected = request ? (request.expected ?? true) : false;
    const cause = request ? (request.reason ?? 'stopped') : (this.options.explainExit?.(code, signal) ?? describeExit(code, signal));
    // Every request in flight fails now: nobody waits for a dead server.
    this.peer?.close({ code: SERVER_UNAVAILABLE, message: `MCP server "${this.serviceName}" exited (${cause})` });
    // Whatever the child started may live on (npx's server after npx died): take the group down too.
    void this.reapGroup();
    this.options.onExit?.(this, { code, signal, expected, cause });
    inBackground(
      this.drainOutput().then(() => {
        this.outputEnded = true;
        for (const splitter of this.splitters) splitter.end();
        const reason = request ? cause : withTail(cause, this.stderrTail);
        this.resolveExited({ serviceId: this.serviceId, generation: this.generation, code, signal, reason, expected });
      }),
      'SupervisedChild',
      `Reporting the exit of ${this.serviceName}`,
    );
  }

  /** Output written just before the exit may still be in the pipes; wait for it, briefly (grandchildren can hold them open). */
  private drainOutput(): Promise<void> {
    const streams = [this.process.stdout, this.process.stderr].filter((stream) => !stream.readableEnded && !stream.destroyed);
    if (streams.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      let open = streams.length;
      const timer = setTimeout(resolve, OUTPUT_DRAIN_MS);
      for (const stream of streams) {
        stream.once('close', () => {
          if (--open === 0) {
            clearTimeout(timer);
            resolve();
          }
        });
      }
    });
  }

  /** SIGTERM to the group, SIGKILL to whatever is left after the grace period. Runs once. */
  private reapGroup(): Promise<void> {
    this.reaping ??= (async () => {
      this.tellStopping(false);
      const { signaller, graceMs, now } = this.options;
      if (signaller.signalGroup(this.pid, 'SIGTERM')) {
        const deadline = now() + graceMs;
        while (now() < deadline) {
          await delay(GROUP_POLL_MS);
          if (this.hasExited && !(await signaller.groupAlive(this.pid))) break;
        }
        if (now() >= deadline) signaller.signalGroup(this.pid, 'SIGKILL');
        // SIGKILL cannot be refused; the bound only covers a process stuck in the kernel.
        await Promise.race([this.exited, delay(KILL_WAIT_MS)]);
      }
      this.groupGone = true;
    })();
    return this.reaping;
  }
}

export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `killed by ${signal}`;
  return `exited with code ${code ?? 'unknown'}`;
}

/** "exited with code 3: <the last stderr lines>", the tail cut to its last STDERR_TAIL_CHARS characters. */
function withTail(cause: string, tail: readonly string[]): string {
  if (tail.length === 0) return cause;
  const text = tail.join('\n');
  return `${cause}: ${text.length > STDERR_TAIL_CHARS ? `…${text.slice(text.length - STDERR_TAIL_CHARS)}` : text}`;
}

/** Servers that print banners on stdout would otherwise feed the peer garbage. */
function looksLikeJson(line: readonly Buffer[]): boolean {
  for (const piece of line) {
    for (let index = 0; index < piece.length; index++) {
      const byte = piece[index];
      if (byte === 0x7b || byte === 0x5b) return true; // { or [
      if (byte !== 0x20 && byte !== 0x09) return false;
    }
  }
  return false;
}

function spawnFailure(spec: SpawnSpec, error: unknown): SpawnFailedError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const what =
    code === 'ENOENT'
      ? `command "${spec.command}" was not found (or the working directory ${spec.cwd} does not exist)`
      : code === 'EACCES'
        ? `command "${spec.command}" is not executable`
        : `command "${spec.command}" could not be started: ${error instanceof Error ? error.message : String(error)}`;
  return new SpawnFailedError(what, code);
}

/** Unref'd: waiting on a child must never be what keeps the proxy (or a test run) alive. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
