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
import type { Upstream } from './upstream';

/**
 * A child of its own for one client session (`isolation: session`): frames pass through as they
 * are, ids included, since nobody else talks to this child. The proxy only adds time-outs and
 * routes what the child says to the right stream.
 */
export class DedicatedUpstream implements Upstream {
  constructor(
    private readonly session: ClientSession,
    private readonly peer: JsonRpcPeer,
    private readonly stopChild: () => void,
  ) {
    peer.onMessage((message) => this.fromChild(message));
  }

  private readonly timers = new Map<InFlight, ReturnType<typeof setTimeout>>();

  forward(session: ClientSession, entry: InFlight, request: JsonRpcRequest, timeoutMs: number): void {
    if (!this.peer.write(request)) {
      session.finish(entry, errorResponse(entry.clientId, SERVER_UNAVAILABLE, 'The MCP server of this session has exited'));
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(entry);
      if (session.find(entry.clientId) !== entry) return;
      this.peer.notify(MCP_METHODS.CANCELLED, { requestId: entry.clientId, reason: 'Timed out in the proxy' });
      session.finish(entry, errorResponse(entry.clientId, REQUEST_TIMEOUT, `No response to ${request.method} within ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    this.timers.set(entry, timer);
    entry.cancel = () => {
      this.clearTimer(entry);
      this.peer.notify(MCP_METHODS.CANCELLED, { requestId: entry.clientId, reason: 'Cancelled by the client' });
    };
  }

  notify(session: ClientSession, notification: JsonRpcNotification): void {
    if (notification.method === MCP_METHODS.CANCELLED) {
      const requestId = (notification.params as { requestId?: string | number } | undefined)?.requestId;
      const entry = requestId === undefined ? undefined : session.find(requestId);
      if (entry) {
        session.drop(entry);
        this.clearTimer(entry);
      }
    }
    this.peer.write(notification);
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
      this.clearTimer(entry);
      session.finish(entry, message);
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

  private clearTimer(entry: InFlight): void {
    const timer = this.timers.get(entry);
    if (timer) clearTimeout(timer);
    this.timers.delete(entry);
  }
}
