import { Injectable, OnModuleDestroy } from '@nestjs/common';
import {
  errorResponse,
  INVALID_REQUEST,
  isNotification,
  isRequest,
  JsonRpcMessage,
  JsonRpcRequest,
  LATEST_INITIALIZE_PROTOCOL_VERSION,
  MCP_METHODS,
  encodeMessage,
  parseMessageBytes,
  RATE_LIMITED,
  SERVER_UNAVAILABLE,
} from '@mcp-proxy/mcp/protocol';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { Principal } from '../../core/auth/principal';
import { StreamHeartbeat } from '../http/stream-heartbeat';
import { RateLimiter } from '../limits/rate-limiter';
import { refusalMessage, takeBudgets } from '../limits/rate-policy';
import { McpDispatcher } from '../mcp-dispatcher';
import type { ServiceRoute } from '../routing/route-table';
import type { ClientSession } from '../sessions/client-session';
import type { MessageSink } from '../sessions/message-sink';
import { SessionStore } from '../sessions/session-store';
import { ServiceUnavailable } from '../upstream/upstream-registry';
import { MAX_MESSAGE_BYTES } from '../../core/http/http-io';

/** One WebSocket: every message for the client is a text frame. */
class WebSocketSink implements MessageSink {
  readonly streaming = true;
  /** Pings sent since the peer last answered (a pong or any frame). */
  private unanswered = 0;

  constructor(private readonly socket: WebSocket) {
    const alive = () => (this.unanswered = 0);
    socket.on('pong', alive);
    socket.on('message', alive);
  }

  /** A ping each heartbeat; a peer that answered none of the last two is gone (or stuck) and is cut off. */
  beat(): void {
    if (this.unanswered >= 2) return void this.socket.terminate();
    this.unanswered++;
    this.socket.ping();
  }

  get closed(): boolean {
    return this.socket.readyState !== WebSocket.OPEN;
  }

  send(message: JsonRpcMessage): boolean {
    if (this.closed) return false;
    // A text frame even when the message is held as bytes (a large relayed answer).
    this.socket.send(encodeMessage(message), { binary: false });
    return true;
  }

  /** 1012 "service restart": the client may reconnect in a moment. */
  reconnect(): void {
    this.socket.close(1012, 'Proxy restarting; reconnect');
  }
}

/**
 * MCP over WebSocket (`/mcp/ws?service=…`, subprotocol `mcp`, one JSON-RPC message per text
 * frame). The connection is the session; auth and Origin were checked before the upgrade.
 */
@Injectable()
export class WebSocketTransport implements OnModuleDestroy {
  private readonly server = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has('mcp') ? 'mcp' : false),
  });

  constructor(
    private readonly dispatcher: McpDispatcher,
    private readonly sessions: SessionStore,
    private readonly rateLimiter: RateLimiter,
    private readonly heartbeat: StreamHeartbeat,
  ) {}

  /** `opened` is told the connection once it is a WebSocket (the handler watches its credential from then on). */
  upgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    route: ServiceRoute,
    principal: Principal,
    opened: (ws: WebSocket) => void,
  ): void {
    this.server.handleUpgrade(request, socket, head, (ws) => {
      this.connect(ws, route, principal);
      opened(ws);
    });
  }

  onModuleDestroy(): void {
    for (const client of this.server.clients) client.close(1001, 'Server shutting down');
    this.server.close();
  }

  private connect(ws: WebSocket, route: ServiceRoute, principal: Principal): void {
    const session = this.dispatcher.createSession(route, principal, 'websocket', LATEST_INITIALIZE_PROTOCOL_VERSION);
    const sink = new WebSocketSink(ws);
    session.standalone = sink;
    const stopBeating = this.heartbeat.add(sink);
    // Frames are handled in order, each after the previous one was dispatched.
    let queue = Promise.resolve();
    ws.on('message', (data, isBinary) => {
      queue = queue.then(() => this.receive(session, route, principal, sink, isBinary ? null : asBuffer(data)));
    });
    ws.on('close', () => {
      stopBeating();
      this.sessions.close(session);
    });
    ws.on('error', () => ws.terminate());
  }

  private async receive(
    session: ClientSession,
    route: ServiceRoute,
    principal: Principal,
    sink: WebSocketSink,
    text: Buffer | null,
  ): Promise<void> {
    if (session.closed) return;
    if (text === null) {
      sink.send(errorResponse(null, INVALID_REQUEST, 'Binary frames are not JSON-RPC; send text frames'));
      return;
    }
    const parsed = parseMessageBytes(text);
    if (!parsed.ok) return void sink.send(errorResponse(parsed.id, parsed.error.code, parsed.error.message));
    if (parsed.kind === 'batch') return void sink.send(errorResponse(null, INVALID_REQUEST, 'JSON-RPC batches are not supported'));
    const message = parsed.message;
    const refusal = await takeBudgets(this.rateLimiter, route, principal, message);
    if (refusal) {
      if (isRequest(message)) sink.send(errorResponse(message.id, RATE_LIMITED, refusalMessage(refusal), refusal));
      return;
    }
    if (isNotification(message)) return this.dispatcher.notification(session, message);
    if (!isRequest(message)) return this.dispatcher.response(session, message);
    try {
      await this.request(session, route, message, sink);
    } catch (error) {
      if (!(error instanceof ServiceUnavailable)) throw error;
      sink.send(errorResponse(message.id, SERVER_UNAVAILABLE, error.message));
    }
  }

  private async request(session: ClientSession, route: ServiceRoute, message: JsonRpcRequest, sink: WebSocketSink): Promise<void> {
    if (message.method === MCP_METHODS.INITIALIZE) {
      await this.dispatcher.prepare(route, session, message);
      return this.dispatcher.initialize(session, route, message, sink);
    }
    await this.dispatcher.request(session, route, message, () => sink);
  }
}

/** A text frame's payload as one Buffer (ws hands over a Buffer, fragments or an ArrayBuffer by its binaryType). */
function asBuffer(data: Buffer | ArrayBuffer | Buffer[]): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}
