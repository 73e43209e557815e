import {
  errorResponse,
  INTERNAL_ERROR,
  isNotification,
  isRequest,
  isResponse,
  JsonRpcMessage,
  JsonRpcNotification,
  JsonRpcPeer,
  JsonRpcRequest,
  JsonRpcResponse,
  MCP_METHODS,
  notifiedProgressToken,
  REQUEST_TIMEOUT,
  SERVER_UNAVAILABLE,
} from '@mcp-proxy/mcp/protocol';
import type { ClientSession, InFlight } from '../sessions/client-session';
import { inBackground } from '../../core/logging/background';
import { heldToolRefusal, UpstreamToolPins, withoutHeldTools } from './tool-pin-guard';
import type { ServerIdentity, Upstream } from './upstream';

/** Pages of `tools/list` read at most to compare a session child's tools before its first call. */
const MAX_COMPARED_PAGES = 50;

/**
 * A child of its own for one client session (`isolation: session` or `pool`): frames pass through as they
 * are, ids included, since nobody else talks to this child. The proxy only adds time-outs and
 * routes what the child says to the right stream.
 */
export class DedicatedUpstream implements Upstream {
  constructor(
    private readonly session: ClientSession,
    private readonly peer: JsonRpcPeer,
    private readonly stopChild: () => void,
    /** Tool pinning of the service (every session's child is the same server, checked against the same pins). */
    private readonly toolPins: { pins: UpstreamToolPins; serviceName: string } | null = null,
    /** A pool's child, initialized by the proxy before the session took it: what the server said then. */
    readonly identity: ServerIdentity | null = null,
  ) {
    peer.onMessage((message) => this.fromChild(message));
  }

  private readonly timers = new Map<InFlight, ReturnType<typeof setTimeout>>();
  /** The params of `tools/list` requests in flight: the cursor tells a first page from a later one. */
  private readonly listParams = new Map<InFlight, unknown>();

  /** Under `block`: this session's child had its tools compared with the pins (listed by its client, or by us first). */
  private toolsCompared = false;
  private comparing: Promise<boolean> | null = null;

  forward(session: ClientSession, entry: InFlight, request: JsonRpcRequest, timeoutMs: number): void {
    // A call may come before any list: the child could be serving a changed tool the pins have not seen yet.
    if (request.method === MCP_METHODS.TOOLS_CALL && !this.toolsCompared && this.toolPins?.pins.blocking()) {
      this.comparing ??= this.compareTools(timeoutMs).catch(() => false);
      const serviceName = this.toolPins?.serviceName ?? '';
      const afterComparing = this.comparing.then((compared) => {
        if (session.find(entry.clientId) !== entry) return;
        if (compared) return this.forwardNow(session, entry, request, timeoutMs);
        session.finish(
          entry,
          errorResponse(entry.clientId, SERVER_UNAVAILABLE, `The tools of "${serviceName}" could not be listed to check them`),
        );
      });
      inBackground(afterComparing, 'DedicatedUpstream', `Forwarding a call to "${serviceName}" after comparing its tools`);
      return;
    }
    this.forwardNow(session, entry, request, timeoutMs);
  }

  private forwardNow(session: ClientSession, entry: InFlight, request: JsonRpcRequest, timeoutMs: number): void {
    const held = request.method === MCP_METHODS.TOOLS_CALL ? (this.toolPins?.pins.held() ?? null) : null;
    const refusal = held && heldToolRefusal(entry.clientId, request.params, held, this.toolPins?.serviceName ?? '');
    if (refusal) return session.finish(entry, refusal);
    if (request.method === MCP_METHODS.TOOLS_LIST && this.toolPins) this.listParams.set(entry, request.params);
    if (!this.peer.write(request)) {
      session.finish(entry, errorResponse(entry.clientId, SERVER_UNAVAILABLE, 'The MCP server of this session has exited'));
      return;
    }
    this.timers.set(entry, this.timeOut(session, entry, timeoutMs));
    entry.cancel = () => {
      this.clearTimer(entry);
      this.peer.notify(MCP_METHODS.CANCELLED, { requestId: entry.clientId, reason: 'Cancelled by the client' });
    };
  }

  /** The call's timer, made out here: a closure made in `forwardNow` would keep the request (a large one's bytes) until it fired or was cleared. */
  private timeOut(session: ClientSession, entry: InFlight, timeoutMs: number): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => {
      this.timers.delete(entry);
      if (session.find(entry.clientId) !== entry) return;
      this.peer.notify(MCP_METHODS.CANCELLED, { requestId: entry.clientId, reason: 'Timed out in the proxy' });
      session.finish(entry, errorResponse(entry.clientId, REQUEST_TIMEOUT, `No response to ${entry.method} within ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    return timer;
  }

  notify(session: ClientSession, notification: JsonRpcNotification): boolean {
    // The proxy told a pool's child `initialized` when it initialized it.
    if (this.identity && notification.method === MCP_METHODS.INITIALIZED) return false;
    if (notification.method === MCP_METHODS.CANCELLED) {
      const requestId = (notification.params as { requestId?: string | number } | undefined)?.requestId;
      const entry = requestId === undefined ? undefined : session.find(requestId);
      if (entry) {
        session.drop(entry);
        this.clearTimer(entry);
      }
    }
    return this.peer.write(notification);
  }

  answer(_session: ClientSession, response: JsonRpcResponse): boolean {
    return this.peer.write(response);
  }

  release(): void {
    for (const entry of this.session.pending()) {
      this.session.drop(entry);
      this.clearTimer(entry);
    }
    this.stopChild();
  }

  /** The child died: every request still waiting gets an error now. */
  childExited(reason: string): void {
    for (const entry of this.session.pending()) {
      this.clearTimer(entry);
      this.session.finish(entry, errorResponse(entry.clientId, SERVER_UNAVAILABLE, `The MCP server of this session exited (${reason})`));
    }
  }

  private fromChild(message: JsonRpcMessage): void {
    const session = this.session;
    if (isResponse(message)) {
      const entry = message.id === undefined || message.id === null ? undefined : session.find(message.id);
      if (!entry) return;
      const answer = entry.method === MCP_METHODS.TOOLS_LIST ? this.screened(entry, message) : message;
      this.clearTimer(entry);
      session.finish(entry, answer);
      return;
    }
    if (isRequest(message)) {
      if (!session.sendRelated(session.soleInFlight() ?? undefined, message)) {
        this.peer.write(errorResponse(message.id, INTERNAL_ERROR, `The client has no open stream for ${message.method}`));
      }
      return;
    }
    if (isNotification(message) && message.method === MCP_METHODS.PROGRESS) {
      const token = notifiedProgressToken(message);
      session.sendRelated(token === undefined ? undefined : session.findByProgressToken(token), message);
      return;
    }
    session.sendUnrelated(message);
  }

  /** A `tools/list` answer as tool pinning lets the client see it (observed as the server sent it). */
  private screened(entry: InFlight, message: JsonRpcResponse): JsonRpcResponse {
    const params = this.listParams.get(entry);
    const pins = this.toolPins?.pins;
    if (!pins || !('result' in message)) return message;
    pins.observe(message.result, params);
    this.toolsCompared ||= !(params as { cursor?: unknown } | undefined)?.cursor;
    const result = withoutHeldTools(message.result, pins.held());
    return result === message.result ? message : { ...message, result };
  }

  /** Lists the child's tools (every page) for the pins to compare; false when it could not. */
  private async compareTools(timeoutMs: number): Promise<boolean> {
    const pins = this.toolPins?.pins;
    if (!pins) return true;
    let params: { cursor?: string } = {};
    for (let page = 0; page < MAX_COMPARED_PAGES; page++) {
      const response = await this.peer.request(MCP_METHODS.TOOLS_LIST, params, { timeoutMs }).response;
      if (!('result' in response)) break;
      pins.observe(response.result, params);
      const next = (response.result as { nextCursor?: unknown } | null)?.nextCursor;
      if (typeof next !== 'string' || next === '') {
        this.toolsCompared = true;
        break;
      }
      params = { cursor: next };
    }
    this.comparing = null;
    return this.toolsCompared;
  }

  private clearTimer(entry: InFlight): void {
    this.listParams.delete(entry);
    const timer = this.timers.get(entry);
    if (timer) clearTimeout(timer);
    this.timers.delete(entry);
  }
}
