import { JsonRpcId, JsonRpcPeer, SERVER_UNAVAILABLE, wireText } from '@mcp-proxy/mcp/protocol';
import type { ChildExit } from '../child-handle';
import type { RunningChild, RunningChildExit } from '../spawn/running-child';
import type { ChildLogWriter, ExitFacts, StopRequest } from '../spawn/supervised-child';
import type { RemoteLink, RemoteLinkEvents } from './remote-link';

export interface RemoteChildOptions {
  serviceId: string;
  serviceName: string;
  generation: number;
  /** Shown in the log and status: the remote's URL without its query. */
  description: string;
  nextId?: () => JsonRpcId;
  log: ChildLogWriter;
  now: () => number;
  onExit?: RunningChildExit;
  connect: (events: RemoteLinkEvents) => RemoteLink;
}

/** How long stop() waits for the remote to acknowledge the end of its session. */
const CLOSE_BOUND_MS = 3000;

/**
 * A remote MCP server run like a child: one MCP session with it, whose end (the remote went away,
 * its session expired) is an exit the supervisor's restart policy turns into a reconnection with
 * back-off. Its peer is what the proxy's upstream talks to, exactly as over a child's stdio.
 */
export class RemoteChild implements RunningChild {
  readonly serviceId: string;
  readonly serviceName: string;
  readonly generation: number;
  /** No local process. */
  readonly pid = 0;
  readonly port = null;
  readonly peer: JsonRpcPeer;
  readonly startedAt: number;
  readonly exited: Promise<ChildExit>;
  readonly description: string;

  private readonly link: RemoteLink;
  private resolveExited!: (exit: ChildExit) => void;
  private ended = false;
  private stopRequest: StopRequest | null = null;

  constructor(private readonly options: RemoteChildOptions) {
    this.serviceId = options.serviceId;
    this.serviceName = options.serviceName;
    this.generation = options.generation;
    this.description = options.description;
    this.startedAt = options.now();
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
    this.peer = new JsonRpcPeer({ send: (text) => this.link.send(wireText(text)), nextId: options.nextId });
    this.link = options.connect({
      receive: (message) => {
        if (!this.ended) this.peer.receiveMessage(message);
      },
      lost: (cause) => this.end(cause),
      log: (text, level) => options.log.append('system', text, level),
    });
  }

  get isRunning(): boolean {
    return !this.ended;
  }

  async stop(request: StopRequest = {}): Promise<ChildExit> {
    if (!this.ended) {
      this.stopRequest ??= request;
      await Promise.race([this.link.close().catch(() => undefined), delay(CLOSE_BOUND_MS)]);
      this.link.abort();
      this.end(request.reason ?? 'stopped');
    }
    return this.exited;
  }

  killNow(): void {
    this.link.abort();
  }

  /** The session is over: requests in flight fail now, and the supervisor hears of it. */
  private end(cause: string): void {
    if (this.ended) return;
    this.ended = true;
    const request = this.stopRequest;
    const expected = request ? (request.expected ?? true) : false;
    this.link.abort();
    this.peer.close({ code: SERVER_UNAVAILABLE, message: `MCP server "${this.serviceName}" is unavailable (${cause})` });
    const facts: ExitFacts = { code: null, signal: null, expected, cause };
    this.options.onExit?.(this, facts);
    this.resolveExited({ serviceId: this.serviceId, generation: this.generation, code: null, signal: null, reason: cause, expected });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
